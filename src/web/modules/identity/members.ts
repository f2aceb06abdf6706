import type { z } from 'zod';
import type { NetworkDetailSchema, NetworkMemberSchema } from '../../../shared/identity/schema';
import { kindLabel, leadTitleLabel } from '../../app/forms';

/** A network and its members as the pages show them (the network page, its management, meetings). */
export type NetworkDetail = z.infer<typeof NetworkDetailSchema>;
export type NetworkMember = z.infer<typeof NetworkMemberSchema>;

export function describeMember(m: Pick<NetworkMember, 'kind' | 'yearOfStudy' | 'role' | 'leadTitle'>) {
  const kind = m.kind === 'student' && m.yearOfStudy ? `Student, year ${m.yearOfStudy}` : kindLabel(m.kind);
  return m.role === 'lead' ? `${kind} · ${leadTitleLabel(m.leadTitle)}` : kind;
}
