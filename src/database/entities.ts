import { AuditEntry } from '../audit/audit-entry.entity.js';
import { ApiToken } from '../people/api-token.entity.js';
import { User } from '../people/user.entity.js';

export const entities = [User, ApiToken, AuditEntry];
