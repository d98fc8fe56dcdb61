// A titled card that loads its own data (系统管理 and the intake desk's back-office pages): one
// failing call leaves the other cards usable.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Button, SpinLoading } from 'antd-mobile';
import { adminError } from '../admin-api';

/** Loads one card's data; `reload` after a change. */
export function useLoad<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    setError(null);
    try {
      setData(await load());
    } catch (e) {
      setError(adminError(e));
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, setData, error, reload };
}

export function Panel({
  title,
  id,
  extra,
  error,
  loading,
  onRetry,
  children,
}: {
  title: string;
  id: string;
  extra?: ReactNode;
  error?: string | null;
  loading?: boolean;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  return (
    <section className="admin-card" id={id} aria-label={title}>
      <header className="admin-card-head">
        <h3>{title}</h3>
        {extra}
      </header>
      {error ? (
        <div className="admin-error">
          <span>{error}</span>
          {onRetry && (
            <Button size="small" onClick={onRetry}>
              重试
            </Button>
          )}
        </div>
      ) : loading ? (
        <div className="admin-loading">
          <SpinLoading color="primary" style={{ '--size': '24px' }} />
        </div>
      ) : (
        children
      )}
    </section>
  );
}

/** The per-row report of a refused (or previewed) sheet: line as Excel numbers it, field, reason. */
export function RowErrors({
  errors,
  fieldName,
}: {
  errors: Array<{ line: number; field: string | null; message: string }>;
  fieldName?: (f: string) => string;
}) {
  if (errors.length === 0) return null;
  return (
    <div className="table-scroll">
      <table className="admin-table row-errors" aria-label="错误行">
        <thead>
          <tr>
            <th>行</th>
            <th>字段</th>
            <th>原因</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={`${e.line}-${e.field}-${i}`}>
              <td className="num">第 {e.line} 行</td>
              <td>{e.field ? (fieldName ? fieldName(e.field) : e.field) : '—'}</td>
              <td className="danger">{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A file chooser (xlsx or CSV); the browser shows the chosen name, cleared when `file` is. */
export function FilePick({
  file,
  onFile,
  label,
}: {
  file: File | null;
  onFile: (f: File | null) => void;
  label: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!file && input.current) input.current.value = '';
  }, [file]);
  return (
    <div className="file-pick">
      <input
        ref={input}
        type="file"
        accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        aria-label={label}
        onChange={(e) => onFile(e.target.files?.[0] ?? null)}
      />
    </div>
  );
}
