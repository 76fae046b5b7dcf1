export * from './directory';
export * from './identity';
export * from './members';
export * from './tasks';
export * from './ops';
export * from './whistles';
export * from './rollups';
export * from './assessment';
