import { ValueTransformer } from 'typeorm';

/** BIGINT comes back as a string from pg and mssql; the monitor's values fit in a double. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** SQLite stores booleans as 0/1 and mssql as bit; present them as booleans everywhere. */
export const bitToBoolean: ValueTransformer = {
  to: (value: boolean | null | undefined) => value,
  from: (value: boolean | number | string | null) =>
    value === null ? null : value === true || value === 1 || value === '1' || value === 'true',
};
