import { AuditEntry } from '../audit/audit-entry.entity.js';
import { Availability, AvailabilityOverride } from '../availability/availability.entity.js';
import { ApiToken } from '../people/api-token.entity.js';
import { CalendarConnection, CalendarEvent, CustomerCallRule, OrganisationSettings } from '../calendar-sync/calendar.entity.js';
import { Booking, WaitlistEntry } from '../bookings/booking.entity.js';
import { FormTemplate, Observation } from '../observations/observation.entity.js';
import { Rollup } from '../rollups/rollup.entity.js';
import { User } from '../people/user.entity.js';
import { Enrollment, Period, Program, RosterEntry } from '../programs/program.entity.js';
import { ScimToken } from '../scim/scim-token.entity.js';
import { Theme, ThemeHistory } from '../themes/theme.entity.js';

export const entities = [User, ApiToken, AuditEntry, Program, Period, RosterEntry, Enrollment, Availability, AvailabilityOverride, Booking, WaitlistEntry, FormTemplate, Observation, Theme, ThemeHistory, Rollup, CalendarConnection, CalendarEvent, CustomerCallRule, OrganisationSettings, ScimToken];
