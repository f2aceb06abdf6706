// The one schema both backends share. Each module keeps its tables in db/tables/<module>.ts.

export * from './tables/concerns';
export * from './tables/identity';
export * from './tables/meetings';
export * from './tables/platform';
export * from './tables/speak-up';
