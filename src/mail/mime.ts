import { randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import * as base64 from 'nodemailer/lib/base64';
import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';

/** A message ready for SMTP: the bytes of the whole message (CRLF line ends) and its envelope. */
export interface RawMessage {
  raw: Buffer;
  envelope: { from: string | false; to: string[] };
  messageId: string;
}

/**
 * Composes a message the way nodemailer does, without its streams.
 *
 * nodemailer's composer (`MailComposer`) builds the MIME tree: the parts, their headers and their
 * transfer encodings. Writing that tree out through its streams costs more CPU than building it: a stream
 * pipeline, an abort signal and several transforms for each part. The parts here are in memory, so the
 * tree is written synchronously with nodemailer's own encoders (`qp`, `base64`) and its own header
 * builder (`buildHeaders`). The result is byte for byte what nodemailer writes for the same tree
 * (test/mail-mime.spec.ts). A part whose content is a stream, a file or a URL goes through nodemailer's
 * streams as before.
 *
 * The multipart boundary's random part comes from `randomUUID` (unguessable, so text in a part cannot
 * close it); without it every part would draw its own random bytes, and only the root's are used. Tests
 * pass a fixed one to compare with nodemailer's output.
 */
export async function composeRaw(message: SendMailOptions, baseBoundary = randomUUID().replace(/-/g, '').slice(0, 16)): Promise<RawMessage> {
  const root = new MailComposer({ ...message, baseBoundary } as SendMailOptions).compile();
  const parts: string[] = [];
  const text = writeNode(root, parts) ? parts.join('') : (await root.build()).toString('utf-8');
  const envelope = root.getEnvelope() as RawMessage['envelope'];
  return { raw: Buffer.from(windowsLineEnds(text), 'utf-8'), envelope, messageId: root.messageId() };
}

/** Appends a node's headers, body and children; false when a body is not in memory. */
function writeNode(node: MimeNode, out: string[]): boolean {
  // buildHeaders first: it decides `multipart` and `boundary`.
  out.push(node.buildHeaders() + '\r\n\r\n');
  const content = node.content;
  if (content) {
    if (typeof content !== 'string' && !Buffer.isBuffer(content)) return false;
    const encoding = node.getTransferEncoding();
    if (encoding === 'base64') out.push(base64.wrap(base64.encode(content), 76));
    else if (encoding === 'quoted-printable') {
      // nodemailer encodes a lone CR or LF outside text/* as data; such a part is left to its streams.
      if (!/^text\//i.test(node.contentType ?? '')) return false;
      out.push(qp.wrap(qp.encode(content), 76));
    } else out.push(typeof content === 'string' ? content : content.toString('utf-8'));
  }
  if (node.multipart) {
    for (let i = 0; i < node.childNodes.length; i++) {
      out.push(`${i > 0 ? '\r\n' : ''}--${node.boundary as string}\r\n`);
      if (!writeNode(node.childNodes[i], out)) return false;
    }
    out.push(`\r\n--${node.boundary as string}--\r\n`);
  }
  return true;
}

/** nodemailer's `newline: 'windows'` (every LF not after a CR becomes CRLF) and its final line end. */
function windowsLineEnds(text: string): string {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  if (crlf.endsWith('\n')) return crlf;
  return crlf.endsWith('\r') ? `${crlf}\n` : `${crlf}\r\n`;
}
