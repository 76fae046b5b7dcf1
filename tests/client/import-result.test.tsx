import { render, screen } from '@testing-library/react';
import ImportResult from '@/components/ImportResult';

describe('ImportResult', () => {
  it('says a dry run wrote nothing and lists each rejected row with its sheet and row number', () => {
    render(
      <ImportResult
        dryRun
        figures={[
          ['新建', 6],
          ['更新', 1],
        ]}
        rejected={[
          { sheet: '社区党组织', row: 5, reason: '板块「不存在街道」不存在' },
          { sheet: '小区', row: 4, reason: '社区党组织「新颜社区」不存在' },
        ]}
      />,
    );
    expect(screen.getByText('试导入结果（未写入）')).toBeTruthy();
    expect(screen.getByText('6')).toBeTruthy();
    expect(screen.getByText('2')).toBeTruthy();
    expect(screen.getByText('「社区党组织」第 5 行')).toBeTruthy();
    expect(screen.getByText('板块「不存在街道」不存在')).toBeTruthy();
    expect(screen.getByText('「小区」第 4 行')).toBeTruthy();
  });

  it('shows a finished registry import without sheets', () => {
    render(
      <ImportResult
        dryRun={false}
        figures={[
          ['新增', 3],
          ['更新', 0],
          ['未变', 0],
        ]}
        rejected={[{ row: 6, reason: '手机号格式不正确' }]}
      />,
    );
    expect(screen.getByText('导入完成')).toBeTruthy();
    expect(screen.getByText('第 6 行')).toBeTruthy();
    expect(screen.getByText('手机号格式不正确')).toBeTruthy();
  });

  it('shows a recorded import (the weapp view) with its time and the rows it did not keep counted', () => {
    const at = '2026-03-05T02:07:00.000Z';
    render(
      <ImportResult
        dryRun={false}
        at={at}
        figures={[
          ['新增', 1],
          ['更新', 0],
          ['未变', 0],
        ]}
        rejected={[{ row: 3, reason: '业主姓名为空' }]}
        rejectedTotal={501}
      />,
    );
    expect(screen.getByText(/导入$/).textContent).toContain(`${new Date(at).getMonth() + 1}月`);
    expect(screen.getByText('501')).toBeTruthy();
    expect(screen.getByText('第 3 行')).toBeTruthy();
    expect(screen.getByText(/另有 500 行/)).toBeTruthy();
  });
});
