import { createHash } from 'node:crypto';
import type { JsapiSignatureInput } from './dingtalk.types';

/**
 * The dd.config signature (ref §4): SHA-1, lowercase hex, of
 * `jsapi_ticket=<ticket>&noncestr=<nonce>&timestamp=<ts>&url=<url>` in exactly that order.
 * The URL is the decoded page href without its `#fragment`.
 */
export function jsapiSignature(input: JsapiSignatureInput): string {
  const hash = input.url.indexOf('#');
  const url = hash === -1 ? input.url : input.url.slice(0, hash);
  const plain = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timeStamp}&url=${url}`;
  return createHash('sha1').update(plain, 'utf8').digest('hex');
}
