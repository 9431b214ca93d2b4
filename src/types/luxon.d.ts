/**
 * The part of luxon (3.x, which ships no types and has no `@types/luxon` installed here) that the schedule spec
 * engine uses: IANA zones and their UTC offset at an instant.
 */
declare module 'luxon' {
  export class IANAZone {
    static create(name: string): IANAZone;
    static isValidZone(zone: string): boolean;
    readonly name: string;
    readonly isValid: boolean;
    /** Minutes east of UTC at the instant `ts` (epoch milliseconds). */
    offset(ts: number): number;
  }
}
