import { isIanaZone } from './time-zone.js';

/** ICU lists some zones under their old names; people look for the current IANA ones. */
const CURRENT_ZONE_NAMES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

let zoneList: string[] | undefined;

/**
 * The zones a time-zone select offers: every IANA zone this runtime knows, under its current name, UTC
 * first, plus the zones given (the saved value, the user's own) when the list lacks them.
 */
export function zoneOptions(...inUse: (string | null | undefined)[]): { value: string; label: string }[] {
  zoneList ??= [
    'UTC',
    ...[...new Set(Intl.supportedValuesOf('timeZone').map((z) => CURRENT_ZONE_NAMES[z] ?? z))].filter((z) => z !== 'UTC' && isIanaZone(z)).sort(),
  ];
  const extra = [...new Set(inUse.filter((z): z is string => !!z && !zoneList!.includes(z)))];
  return [...extra, ...zoneList].map((z) => ({ value: z, label: z.replace(/_/g, ' ') }));
}
