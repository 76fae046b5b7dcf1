import { View } from '@tarojs/components';
import type { ReactNode } from 'react';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { secretaryOrgId } from '@/services/session';

/** Secretary pages render nothing of their own for anyone else. */
export default function SecretaryGate({ children }: { children: (orgId: string) => ReactNode }) {
  const { ready, user, error, retry } = useAuthReady();
  if (!ready) return <StateView loading error={error} onRetry={retry} />;
  const orgId = secretaryOrgId(user);
  if (!orgId) {
    return (
      <View className="card state-box">
        <View className="card-title">无权访问</View>
        <View className="muted">此功能仅供社区党组织书记使用</View>
      </View>
    );
  }
  return <>{children(orgId)}</>;
}
