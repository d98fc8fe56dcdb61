// The only DingTalk JSAPI parts we use, imported one by one (the full package adds ~360 KB).
import dd from 'dingtalk-jsapi/entry/union';
import { getENV } from 'dingtalk-jsapi/lib/env';
// Named imports: these modules are CommonJS, and under Node's interop rules (this package is
// "type": "module") their default import is the exports object, not the function.
import { requestAuthCode$ as requestAuthCode } from 'dingtalk-jsapi/api/runtime/permission/requestAuthCode';
import { chooseImage$ as chooseImage } from 'dingtalk-jsapi/api/union/chooseImage';
import { uploadFile$ as uploadFile } from 'dingtalk-jsapi/api/union/uploadFile';
import type { JsapiConfig } from './types';

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

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => window.clearTimeout(timer));
}

/**
 * A one-time 免登 code (valid 5 minutes, single use) from the classic
 * runtime.permission.requestAuthCode. It can hang forever under a faked DingTalk user agent,
 * hence the timeout.
 */
export async function getAuthCode(corpId: string): Promise<string> {
  const result = await withTimeout(requestAuthCode({ corpId }), AUTH_CODE_TIMEOUT_MS, '获取钉钉授权码超时');
  if (!result?.code) throw new Error('钉钉未返回授权码');
  return result.code;
}

/** The phone clients have the native picker (camera or album); the PC client uses a file input. */
export function canChooseImage(): boolean {
  if (!inDingTalk()) return false;
  const platform = getENV().platform as string;
  return platform === 'android' || platform === 'ios' || platform === 'harmony';
}

const JSAPI_AUTH_TIMEOUT_MS = 10_000;
/** DingTalk's client error code for "no permission" (reference §3.1, ERROR_CODE.no_permission). */
const NO_PERMISSION = '7';

/** DingTalk refused the page's JSAPI signature (dd.error), or a JSAPI for want of it (16.6). */
export class JsapiAuthError extends Error {
  constructor(detail: string) {
    super(
      `钉钉 JSAPI 鉴权失败${detail ? `（${detail}）` : ''}：本页面的签名未通过钉钉校验，暂时无法拍照上传。` +
        '请改用「选择文件」，并联系系统管理员检查应用配置（可信域名、AgentId、CorpId）。',
    );
    this.name = 'JsapiAuthError';
  }
}

function bridgeDetail(err: unknown): string {
  const e = (err ?? {}) as { errorCode?: unknown; errorMessage?: unknown; message?: unknown };
  const text = [e.errorMessage ?? e.message, e.errorCode !== undefined ? `错误码 ${String(e.errorCode)}` : '']
    .filter((x) => typeof x === 'string' && x !== '')
    .join('，');
  return text;
}

/** "No permission" from a JSAPI means the page's signature did not grant it. */
function rethrowAsAuthError(err: unknown): never {
  if ((err as { errorCode?: unknown } | null)?.errorCode === NO_PERMISSION) throw new JsapiAuthError(bridgeDetail(err));
  throw err;
}

let configured: Promise<void> | null = null;

/**
 * dd.config once per page: chooseImage and uploadFile are JSAPIs that need the page signed.
 * Resolves on dd.ready; dd.error (a bad signature) rejects with a JsapiAuthError that says so.
 */
function configure(loadConfig: (url: string) => Promise<JsapiConfig>): Promise<void> {
  configured ??= loadConfig(window.location.href.split('#')[0] ?? window.location.href)
    .then((c) =>
      withTimeout(
        new Promise<void>((resolve, reject) => {
          dd.config({
            agentId: c.agentId,
            corpId: c.corpId,
            timeStamp: c.timeStamp,
            nonceStr: c.nonceStr,
            signature: c.signature,
            type: 0,
            jsApiList: ['biz.util.chooseImage', 'biz.util.uploadFile'],
          });
          dd.ready(() => resolve());
          dd.error((err: unknown) => reject(new JsapiAuthError(bridgeDetail(err))));
        }),
        JSAPI_AUTH_TIMEOUT_MS,
        '钉钉 JSAPI 鉴权超时，请稍后重试',
      ),
    )
    .catch((e: unknown) => {
      // A refused signature stays refused for this page (dd.config runs once); other failures may pass later.
      if (!(e instanceof JsapiAuthError)) configured = null;
      throw e;
    });
  return configured;
}

/**
 * Photos from the camera or album (dd.chooseImage), each sent by DingTalk's native uploader to
 * `uploadUrl` as the multipart part "file" with our bearer token. Resolves to the API's answers.
 */
export async function chooseAndUploadImages<T>(opts: {
  uploadUrl: string;
  token: string;
  loadConfig: (url: string) => Promise<JsapiConfig>;
  max: number;
}): Promise<T[]> {
  await configure(opts.loadConfig);
  const picked = await chooseImage({ count: opts.max, sourceType: ['camera', 'album'] }).catch(rethrowAsAuthError);
  const paths = picked.files?.map((f) => f.path) ?? picked.filePaths ?? [];
  const uploaded: T[] = [];
  for (const filePath of paths) {
    const res = await uploadFile({
      url: opts.uploadUrl,
      header: { Authorization: `Bearer ${opts.token}` },
      fileName: 'file',
      filePath,
      fileType: 'image',
    }).catch(rethrowAsAuthError);
    const status = Number(res.statusCode ?? 200);
    const body = res.data ? (JSON.parse(res.data) as T & { message?: string }) : null;
    if (status >= 400 || !body) throw new Error(body?.message ?? `上传失败（${status}）`);
    uploaded.push(body);
  }
  return uploaded;
}
