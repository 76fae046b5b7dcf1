export default definePageConfig({ navigationBarTitleText: '邀请与邀请码' });
