// Issue 19 goal 3: a long import (an upstream batch, transit data) followed while it runs: the
// upload's bytes, then the rows the server has checked and written (GET /api/imports/:key every
// half second), with a cancel button that stops the server's run and the request. A cancelled
// import writes nothing.
import { useCallback, useRef, useState } from 'react';
import { Button, ProgressBar } from 'antd-mobile';
import { intakeAdminApi, type ImportFollow, type ImportRun } from '../intake-admin-api';

export const IMPORT_CANCELLED_TEXT = '已取消，未导入任何数据。';
const POLL_MS = 500;

interface Progress {
  upload: { sent: number; total: number };
  run: ImportRun | null;
}

/** A v4 uuid, the import's key (crypto.randomUUID only exists on https and localhost pages). */
function newUuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * `follow(call)` runs one import with a fresh key and shows its progress until it ends; it answers
 * `{ cancelled: true }` when the person cancelled it (whatever the request then failed with).
 */
export function useImportProgress() {
  const [progress, setProgress] = useState<Progress | null>(null);
  const current = useRef<{ key: string; stop: AbortController; cancelled: boolean } | null>(null);

  const follow = useCallback(
    async <T,>(
      call: (f: ImportFollow) => Promise<T>,
    ): Promise<{ cancelled: true } | { cancelled: false; value: T }> => {
      const run = { key: newUuid(), stop: new AbortController(), cancelled: false };
      current.current = run;
      setProgress({ upload: { sent: 0, total: 0 }, run: null });
      // Until the server has recorded the run (it does so as the upload begins) this is a 404: keep asking.
      const poll = window.setInterval(() => {
        intakeAdminApi
          .importRun(run.key)
          .then((r) => current.current === run && setProgress((p) => p && { ...p, run: r }))
          .catch(() => undefined);
      }, POLL_MS);
      try {
        const value = await call({
          key: run.key,
          signal: run.stop.signal,
          onUploadProgress: (sent, total) => setProgress((p) => p && { ...p, upload: { sent, total } }),
        });
        return { cancelled: false, value };
      } catch (e) {
        if (run.cancelled) return { cancelled: true };
        throw e;
      } finally {
        window.clearInterval(poll);
        current.current = null;
        setProgress(null);
      }
    },
    [],
  );

  /** Asks the server to stop the run (nothing is written), then ends the request. */
  const cancel = useCallback(async () => {
    const run = current.current;
    if (!run || run.cancelled) return;
    run.cancelled = true;
    await intakeAdminApi.cancelImport(run.key).catch(() => undefined);
    run.stop.abort();
  }, []);

  return { progress, follow, cancel };
}

const kb = (n: number) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);
const num = (n: number) => n.toLocaleString('zh-CN');

/** The progress line under an import's buttons; `unit` names what is written (行 or 件). */
export function ImportProgressLine({
  progress,
  unit,
  onCancel,
}: {
  progress: Progress;
  unit: '行' | '件';
  onCancel: () => void;
}) {
  const { upload, run } = progress;
  let text: string;
  let percent: number;
  if (run && run.total !== null) {
    text =
      run.phase === 'writing'
        ? `已导入 ${num(run.rowsDone)} / ${num(run.total)} ${unit}`
        : `已检查 ${num(run.rowsDone)} / ${num(run.total)} 行`;
    percent = run.total ? (run.rowsDone / run.total) * 100 : 100;
  } else if (upload.total && upload.sent < upload.total) {
    text = `正在上传 ${kb(upload.sent)} / ${kb(upload.total)}`;
    percent = (upload.sent / upload.total) * 100;
  } else {
    text = upload.total ? '已上传，正在读取文件…' : '正在上传…';
    percent = upload.total ? 100 : 0;
  }
  return (
    <div className="export-progress import-progress" role="status" data-testid="import-progress">
      <span>{text}</span>
      <ProgressBar percent={Math.min(100, percent)} />
      <Button size="mini" onClick={onCancel}>
        取消
      </Button>
    </div>
  );
}
