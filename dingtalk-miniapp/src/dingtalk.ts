// The only DingTalk JSAPI parts we use, imported one by one (the full package adds ~360 KB).
import 'dingtalk-jsapi/entry/union';
import { getENV } from 'dingtalk-jsapi/lib/env';
import requestAuthCode from 'dingtalk-jsapi/api/runtime/permission/requestAuthCode';

const AUTH_CODE_TIMEOUT_MS = 8_000;

/** True inside a DingTalk client (detected from the user agent by dingtalk-jsapi). */
export function inDingTalk(): boolean {
  try {
    return getENV().platform !== 'notInDingTalk';
  } catch {
    return false;
  }
}

/** corpId from the home URL (`https://<host>/?corpId=$CORPID$`); DingTalk fills in the placeholder. */
export function corpIdFromUrl(): string | null {
  const params = new URLSearchParams(window.location.search);
  const value = params.get('corpId') ?? params.get('corpid');
  return value && value !== '$CORPID$' ? value : null;
}

/**
 * A one-time 免登 code (valid 5 minutes, single use) from the classic
 * runtime.permission.requestAuthCode. It can hang forever under a faked DingTalk user agent,
 * hence the timeout.
 */
export async function getAuthCode(corpId: string): Promise<string> {
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new Error('获取钉钉授权码超时')), AUTH_CODE_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([requestAuthCode({ corpId }), timeout]);
    if (!result?.code) throw new Error('钉钉未返回授权码');
    return result.code;
  } finally {
    window.clearTimeout(timer);
  }
}
