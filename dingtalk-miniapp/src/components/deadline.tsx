import { Tag } from 'antd-mobile';
import { ASSIGNMENT_STATUS, label, statusText } from '../labels';
import { countdown, trafficLight, type Light } from '../time';

const LIGHT_TEXT: Record<Light, string> = { green: '正常', yellow: '临期', red: '超期', none: '无期限' };

export function LightDot({ light }: { light: Light }) {
  return (
    <span className={`light light-${light}`} role="img" aria-label={LIGHT_TEXT[light]} title={LIGHT_TEXT[light]} />
  );
}

/** Traffic light plus live countdown for one deadline. */
export function Deadline({
  deadline,
  start,
  now,
  light: given,
}: {
  deadline: string | null | undefined;
  start?: string | null;
  now: number;
  /** The API's light when it sends one (it knows the working-day calendar); else computed here. */
  light?: Light | null;
}) {
  const light = deadline && now > Date.parse(deadline) ? 'red' : (given ?? trafficLight(deadline, start, now));
  return (
    <span className={`deadline deadline-${light}`}>
      <LightDot light={light} />
      {countdown(deadline, now)}
    </span>
  );
}

const STATUS_COLOR: Record<string, string> = {
  registered: 'warning',
  in_progress: 'primary',
  in_review: 'primary',
  follow_up: 'warning',
  closed: 'success',
  revoked: 'default',
};

export function StatusTag({ status, step }: { status: string; step?: string | null }) {
  return (
    <Tag color={STATUS_COLOR[status] ?? 'default'} fill="outline">
      {statusText(status, step)}
    </Tag>
  );
}

const ASSIGNMENT_COLOR: Record<string, string> = {
  pending_accept: 'warning',
  accepted: 'primary',
  awaiting_leader: 'primary',
  replied: 'success',
  return_requested: 'danger',
  returned: 'default',
  cancelled: 'default',
};

export function AssignmentTag({ status }: { status: string }) {
  return (
    <Tag color={ASSIGNMENT_COLOR[status] ?? 'default'} fill="outline">
      {label(ASSIGNMENT_STATUS, status)}
    </Tag>
  );
}
