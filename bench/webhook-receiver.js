// A webhook receiver in its own process (as in production, it is not the server's CPU): answers
// 204 at once, counts deliveries and distinct `webhook-id`s, and tells the parent on request.
import { createServer } from 'node:http';

let count = 0;
const ids = new Set();
const server = createServer((req, res) => {
  ids.add(req.headers['webhook-id']);
  req.resume();
  req.on('end', () => { count += 1; res.statusCode = 204; res.end(); });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ count, ids: ids.size }));
