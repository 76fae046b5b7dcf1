/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.svg';
declare module '*.scss';

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production' | 'test';
    TARO_ENV: 'weapp' | 'h5' | string;
    /** '' means same origin on H5; weapp needs an absolute URL. */
    TARO_APP_API_BASE?: string;
  }
}
