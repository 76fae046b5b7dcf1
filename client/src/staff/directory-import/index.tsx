import { useState } from 'react';
import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { DirectoryImportResult } from '@pioneer/shared';
import ImportResult from '@/components/ImportResult';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { IS_H5 } from '@/services/config';
import { errorMessage } from '@/services/http';
import { useRequest } from '@/hooks/use-request';
import { download, getDirectoryImports, importDirectory, pickFile, TEMPLATE_PATHS } from '@/services/registry';
import { isCityAdmin } from '@/services/session';

/** The city admin loads 板块, 社区党组织, 小区 and 单位党组织 from one workbook: a dry run first, then the import. */
export default function DirectoryImport() {
  const { ready, user } = useAuthReady();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<DirectoryImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const cityAdmin = isCityAdmin(user);
  // The imports recorded so far: what the mini-program (which cannot upload) shows.
  const history = useRequest(() => getDirectoryImports(), [], ready && cityAdmin);

  async function run(f: File, dryRun: boolean) {
    setBusy(true);
    try {
      setResult(await importDirectory(f, dryRun));
      setFile(dryRun ? f : null);
      if (!dryRun) history.reload();
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' });
    } finally {
      setBusy(false);
    }
  }

  if (!cityAdmin)
    return (
      <View className="page">
        <View className="state-box">仅市级管理员可导入目录</View>
      </View>
    );
  return (
    <View className="page">
      <View className="card">
        <View className="card-title">导入组织目录</View>
        <View className="muted">一个 Excel 文件，四个工作表：板块、社区党组织、小区、单位党组织。先试导入，核对有误行后再确认导入。</View>
        {IS_H5 ? (
          <View className="row" style={{ gap: '16px', marginTop: '16px', flexWrap: 'wrap' }}>
            <View
              className="btn btn-plain btn-small"
              onClick={() =>
                download(TEMPLATE_PATHS.directory, {}, '目录导入模板.xlsx').catch((e) =>
                  Taro.showToast({ title: errorMessage(e), icon: 'none' }),
                )
              }
            >
              下载模板
            </View>
            <View
              className="btn btn-small"
              onClick={
                busy
                  ? undefined
                  : async () => {
                      const f = await pickFile('.xlsx');
                      if (f) await run(f, true);
                    }
              }
            >
              {busy ? '处理中…' : '选择文件试导入'}
            </View>
            {file && result?.dryRun ? (
              <View className="btn btn-small" onClick={busy ? undefined : () => run(file, false)}>
                确认导入
              </View>
            ) : null}
          </View>
        ) : (
          <View className="muted">请在电脑浏览器中打开本页上传文件；下面是已导入的结果。</View>
        )}
      </View>
      {result ? (
        <ImportResult
          dryRun={result.dryRun}
          figures={[
            ['新建', result.created],
            ['更新', result.updated],
          ]}
          rejected={result.rejected}
        />
      ) : null}
      {history.data?.items.map((h) => (
        <ImportResult
          key={h.at}
          dryRun={false}
          at={h.at}
          figures={[
            ['新建', h.created],
            ['更新', h.updated],
          ]}
          rejected={h.rejected}
          rejectedTotal={h.rejectedTotal}
        />
      ))}
    </View>
  );
}
