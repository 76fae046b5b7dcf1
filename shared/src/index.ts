export * from './common';
export * from './auth';
export * from './directory';
export * from './members';
export * from './tasks';
export * from './stats';
export * from './whistles';
export * from './demands';
