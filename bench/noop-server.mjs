// The do-nothing HTTP baseline of the endpoint section: node:http that reads each request body
// and answers 200 with a fixed AWS JSON 1.1 body of --bytes bytes (as long as kms-core's
// ReEncrypt response), so both servers move the same bytes and only kms-core does KMS work.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { bytes: { type: 'string', default: '64' } } });
const n = Math.max(2, Number(values.bytes));
const body = Buffer.from(`{"x":"${'A'.repeat(Math.max(0, n - 8))}"}`);
const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': '00000000-0000-4000-8000-000000000000', 'content-length': body.length };
const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
// Ends with its parent: stdin closes when the bench exits, however it exits.
process.stdin.on('end', () => process.exit(0)).resume();
