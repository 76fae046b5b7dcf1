// Imported first by tests of the H5 build: Taro's build defines TARO_ENV before any module reads it.
process.env.TARO_ENV = 'h5';
