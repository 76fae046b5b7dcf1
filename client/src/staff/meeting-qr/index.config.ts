export default definePageConfig({ navigationBarTitleText: '会议签到', pageOrientation: 'auto' });
