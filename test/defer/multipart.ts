/**
 * Reads a multipart/mixed GraphQL response part by part as its bytes arrive (incremental delivery:
 * https://github.com/graphql/graphql-over-http/blob/main/rfcs/IncrementalDelivery.md). A part is
 * yielded as soon as its closing boundary has been read, before the rest of the body exists.
 */
export async function* readMultipart(
  res: Response,
  maxParts = 100,
): AsyncGenerator<Record<string, any>> {
  const type = res.headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (!type.startsWith('multipart/mixed') || !boundary || !res.body)
    throw new Error(`not a multipart/mixed response: ${res.status} ${type}`);
  const delimiter = `\r\n--${boundary}`;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let parts = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      // Every complete part: text between one delimiter and the next.
      for (let start = buffer.indexOf(delimiter); start !== -1; start = buffer.indexOf(delimiter)) {
        const after = buffer.slice(start + delimiter.length);
        if (after.startsWith('--')) return; // closing delimiter: the response is complete
        const end = after.indexOf(delimiter);
        if (end === -1) break;
        const part = after.slice(0, end);
        buffer = after.slice(end);
        const bodyAt = part.indexOf('\r\n\r\n');
        if (bodyAt === -1)
          throw new Error(`multipart part without headers: ${JSON.stringify(part.slice(0, 200))}`);
        if (++parts > maxParts) throw new Error(`more than ${maxParts} parts`);
        yield JSON.parse(part.slice(bodyAt + 4));
      }
      if (done) throw new Error('multipart response ended without its closing delimiter');
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
