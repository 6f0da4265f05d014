import { connect } from 'node:net';

/**
 * Writes `head` and then `body` over a plain TCP connection and resolves with
 * the server's answer as a Response, without waiting for the body the head
 * announced: this is how a test shows the server answered before a body
 * (claimed in Content-Length but never sent) arrived.
 */
export function rawHttp(baseUrl: string, head: string, body: Uint8Array = new Uint8Array()): Promise<Response> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      socket.write(body);
    });
    let received = Buffer.alloc(0);
    const finish = () => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Headers(lines.map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
      const length = Number(headers.get('content-length') ?? NaN);
      const content = received.subarray(end + 4);
      if (!(content.length >= length)) return false;
      socket.destroy();
      resolve(new Response(content.subarray(0, length), { status: Number(statusLine!.split(' ')[1]), headers }));
      return true;
    };
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      finish();
    });
    socket.on('end', () => finish() || reject(new Error(`connection closed before a complete answer:\n${received.toString('latin1')}`)));
    socket.on('error', (err) => finish() || reject(err));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error('no answer in 10 s'));
    });
  });
}
