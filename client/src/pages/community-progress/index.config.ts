export default definePageConfig({ navigationBarTitleText: '共商共办进展' });
