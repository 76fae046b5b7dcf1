// Taro's build defines these; the tests run as the WeChat build unless a test says otherwise.
process.env.TARO_ENV = process.env.TARO_ENV ?? 'weapp';
