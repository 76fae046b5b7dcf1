import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

// Taro only compiles client/src by default; the shared zod contract is TypeScript source.
const sharedSrc = path.resolve(__dirname, '../../shared/src');

// One configuration for every build: what differs between weapp and H5 sits under `mini` and `h5`.
export default defineConfig<'webpack5'>(async () => {
  const isH5 = process.env.TARO_ENV === 'h5';
  // Read from the shell as well as .env files, so `TARO_APP_API_BASE=... npm run build:weapp` works.
  const apiBase = process.env.TARO_APP_API_BASE ?? (isH5 ? '' : 'http://127.0.0.1:3000');

  const base: UserConfigExport<'webpack5'> = {
    projectName: 'pioneer-code',
    date: '2026-1-1',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    // `@/services/http` instead of `../../services/http`: same spelling in every folder (tsconfig paths, jest too).
    alias: { '@': path.resolve(__dirname, '../src') },
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {},
    env: { TARO_APP_API_BASE: JSON.stringify(apiBase) },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [sharedSrc] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      optimizeMainPackage: { enable: true },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [sharedSrc] },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[chunkhash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      devServer: {
        port: 10086,
        proxy: [{ context: ['/api', '/r'], target: 'http://127.0.0.1:3000', ws: true }],
      },
    },
  };

  return base;
});
