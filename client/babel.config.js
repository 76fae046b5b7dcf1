// babel-preset-taro also serves jest (NODE_ENV=test makes it emit CommonJS).
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
