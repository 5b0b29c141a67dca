#!/usr/bin/env node
// A stable entry for npm to link at install time (dist/ is built afterwards, by `prepare`).
import '../dist/cli.js';
