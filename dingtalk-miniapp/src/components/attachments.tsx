// Photos and files on a ticket or a reply: thumbnails (fetched with the bearer token, shown from
// object URLs), a viewer, and the picker (dd.chooseImage in the DingTalk phone app, else a file input).
import { useEffect, useRef, useState } from 'react';
import { Button, ImageViewer, Toast } from 'antd-mobile';
import { absoluteApiUrl, api, attachmentUploadPath, describeError } from '../api-client';
import { canChooseImage, chooseAndUploadImages } from '../dingtalk';
import { loadSession } from '../session';
import type { Attachment } from '../types';

const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,application/pdf';
const MAX_BYTES = 10 * 1024 * 1024;
const isImage = (a: Attachment) => a.contentType.startsWith('image/');
const size = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;

/** Object URLs for the attachments' bytes, revoked when the list changes or the view goes away. */
function useObjectUrls(items: Attachment[]): Map<string, string> {
  const [urls, setUrls] = useState<Map<string, string>>(new Map());
  const key = items.map((a) => a.id).join(',');
  useEffect(() => {
    let alive = true;
    const made: string[] = [];
    void (async () => {
      for (const a of items.filter(isImage)) {
        try {
          const blob = await api.attachmentBlob(a.url);
          if (!alive) return;
          const url = URL.createObjectURL(blob);
          made.push(url);
          setUrls((m) => new Map(m).set(a.id, url));
        } catch {
          // a thumbnail that fails to load stays a placeholder; the list still works
        }
      }
    })();
    return () => {
      alive = false;
      made.forEach((u) => URL.revokeObjectURL(u));
      setUrls(new Map());
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return urls;
}

async function openFile(a: Attachment): Promise<void> {
  try {
    const blob = await api.attachmentBlob(a.url);
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.download = a.fileName;
    link.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (e) {
    Toast.show({ icon: 'fail', content: describeError(e) });
  }
}

export function AttachmentList({ items, label }: { items: Attachment[]; label?: string }) {
  const urls = useObjectUrls(items);
  const [viewing, setViewing] = useState<number | null>(null);
  if (items.length === 0) return null;
  const images = items.filter(isImage);
  const files = items.filter((a) => !isImage(a));
  const imageUrls = images.map((a) => urls.get(a.id) ?? '');
  return (
    <div className="attachments">
      {label && <div className="attachments-label">{label}</div>}
      <div className="thumbs">
        {images.map((a, i) => (
          <button
            key={a.id}
            type="button"
            className="thumb"
            onClick={() => setViewing(i)}
            aria-label={`查看图片 ${a.fileName}`}
            title={`${a.fileName} · ${a.uploadedBy.name}`}
          >
            {urls.get(a.id) ? <img src={urls.get(a.id)} alt={a.fileName} /> : <span className="thumb-wait">…</span>}
          </button>
        ))}
        {files.map((a) => (
          <button key={a.id} type="button" className="file-chip" onClick={() => void openFile(a)} title={a.fileName}>
            <span className="file-icon">PDF</span>
            <span className="file-name">{a.fileName}</span>
            <span className="muted small">{size(a.sizeBytes)}</span>
          </button>
        ))}
      </div>
      {viewing !== null && (
        <ImageViewer.Multi images={imageUrls} defaultIndex={viewing} visible onClose={() => setViewing(null)} />
      )}
    </div>
  );
}

/**
 * "Add photo / file": in the DingTalk phone app the native picker (camera or album), elsewhere a
 * file input. Each file is uploaded at once, so a draft keeps nothing but text.
 */
export function AttachmentPicker({
  ticketId,
  assignmentId,
  onUploaded,
  text = '添加照片 / 文件',
}: {
  ticketId: string;
  assignmentId?: string;
  onUploaded: (a: Attachment) => void;
  text?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  const uploadFiles = async (files: File[]) => {
    setBusy(true);
    try {
      for (const f of files) {
        if (f.size > MAX_BYTES) {
          Toast.show({ icon: 'fail', content: `${f.name} 超过 10 MB，未上传` });
          continue;
        }
        onUploaded(await api.uploadAttachment(ticketId, f, f.name, assignmentId));
      }
    } catch (e) {
      Toast.show({ icon: 'fail', content: describeError(e) });
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  const pickInDingTalk = async () => {
    const session = loadSession();
    if (!session) return;
    setBusy(true);
    try {
      const uploaded = await chooseAndUploadImages<Attachment>({
        uploadUrl: absoluteApiUrl(attachmentUploadPath(ticketId, assignmentId)),
        token: session.token,
        loadConfig: api.jsapiConfig,
        max: 9,
      });
      uploaded.forEach(onUploaded);
    } catch (e) {
      // "-1" is DingTalk's "cancelled by the user": not an error worth a message
      const code = (e as { errorCode?: string } | null)?.errorCode;
      if (code !== '-1') Toast.show({ icon: 'fail', content: e instanceof Error ? e.message : '选择图片失败' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="attachment-picker">
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        multiple
        hidden
        data-testid="attachment-input"
        onChange={(e) => void uploadFiles([...(e.target.files ?? [])])}
      />
      <Button
        size="middle"
        fill="outline"
        loading={busy}
        disabled={busy}
        onClick={() => (canChooseImage() ? void pickInDingTalk() : input.current?.click())}
      >
        {text}
      </Button>
      <span className="muted small">图片或 PDF，单个不超过 10 MB</span>
    </div>
  );
}
