// Every migration, in order. A spec checks that each file in this folder is listed here.
import { CreatePeople1795312000000 } from './1795312000000-CreatePeople.js';
import { CreateProgramsAndAvailability1795320000000 } from './1795320000000-CreateProgramsAndAvailability.js';
import { CreateMailOutbox1795330000000 } from './1795330000000-CreateMailOutbox.js';
import { CreateBookingEngine1795340000000 } from './1795340000000-CreateBookingEngine.js';
import { CreateThemes1795350000000 } from './1795350000000-CreateThemes.js';
import { CreateObservations1795360000000 } from './1795360000000-CreateObservations.js';
import { CreateRollups1795370000000 } from './1795370000000-CreateRollups.js';
import { CreateRotations1795380000000 } from './1795380000000-CreateRotations.js';
import { AddShiftObservations1795390000000 } from './1795390000000-AddShiftObservations.js';
import { CreateWebSessions1795400000000 } from './1795400000000-CreateWebSessions.js';
import { KeepBookingWindowAndWithdrawForms1795410000000 } from './1795410000000-KeepBookingWindowAndWithdrawForms.js';
import { AddMailOutboxSecretBody1795420000000 } from './1795420000000-AddMailOutboxSecretBody.js';
import { ShortenJobExpiries1795430000000 } from './1795430000000-ShortenJobExpiries.js';
import { CreateCalendarConnections1795440000000 } from './1795440000000-CreateCalendarConnections.js';
import { CreateRepCalendarBusy1795450000000 } from './1795450000000-CreateRepCalendarBusy.js';
import { CreateScimProvisioning1795460000000 } from './1795460000000-CreateScimProvisioning.js';
import { CreateOidcFlows1795470000000 } from './1795470000000-CreateOidcFlows.js';
import { AddRepCalendarBusyVersion1795480000000 } from './1795480000000-AddRepCalendarBusyVersion.js';
import { CreateActionsNoticesRepNotesWebhooks1795490000000 } from './1795490000000-CreateActionsNoticesRepNotesWebhooks.js';
import { CreateSegments1795550000000 } from './1795550000000-CreateSegments.js';
import { AddSearchVectors1795560000000 } from './1795560000000-AddSearchVectors.js';
import { CreateThemeSuggestions1795570000000 } from './1795570000000-CreateThemeSuggestions.js';
import { AddSearchRecency1795590000000 } from './1795590000000-AddSearchRecency.js';
import { AddBookingLockAndRead1795600000000 } from './1795600000000-AddBookingLockAndRead.js';
import { AddCredentialNotifications1795600100000 } from './1795600100000-AddCredentialNotifications.js';
import { AddSupplyVersions1795600400000 } from './1795600400000-AddSupplyVersions.js';

export const migrations = [CreatePeople1795312000000, CreateProgramsAndAvailability1795320000000, CreateMailOutbox1795330000000, CreateBookingEngine1795340000000, CreateThemes1795350000000, CreateObservations1795360000000, CreateRollups1795370000000, CreateRotations1795380000000, AddShiftObservations1795390000000, CreateWebSessions1795400000000, KeepBookingWindowAndWithdrawForms1795410000000, AddMailOutboxSecretBody1795420000000, ShortenJobExpiries1795430000000, CreateCalendarConnections1795440000000, CreateRepCalendarBusy1795450000000, CreateScimProvisioning1795460000000, CreateOidcFlows1795470000000, AddRepCalendarBusyVersion1795480000000, CreateActionsNoticesRepNotesWebhooks1795490000000, CreateSegments1795550000000, AddSearchVectors1795560000000, CreateThemeSuggestions1795570000000, AddSearchRecency1795590000000, AddBookingLockAndRead1795600000000, AddCredentialNotifications1795600100000, AddSupplyVersions1795600400000];
