import { maskAddress, maskName, maskNumbers, maskPhone, scrubCallerData } from './masking';

describe('masking (R-19)', () => {
  it('R-19: names keep the surname only', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('A')).toBe('*');
    expect(maskName(null)).toBeNull();
  });

  it('R-19: phones keep the first 3 and last 4 digits', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone('+86 138-0013-8000')).toBe('138****8000');
    expect(maskPhone('0571-8888888')).toBe('057****8888');
    expect(maskPhone('8765432')).toBe('87****32');
    expect(maskPhone('12345')).toBe('***45');
  });

  it('R-19: addresses keep only their broad start', () => {
    expect(maskAddress('人民路100号3单元')).toBe('人民路****');
    expect(maskAddress('北京市朝阳区建国路1号院2号楼3单元401')).toBe('北京市朝阳区****');
  });

  it('R-19: a subject loses the caller name, phone, address and any mobile number', () => {
    const caller = { name: '张三丰', phone: '13812345678', address: '人民路100号' };
    const out = scrubCallerData('张三丰(13812345678)投诉人民路100号站台，另留电话139 1234 5678', caller);
    expect(out).not.toContain('张三丰');
    expect(out).not.toContain('13812345678');
    expect(out).not.toContain('人民路100号');
    expect(out).not.toContain('1234 5678');
    expect(out).toContain('138****5678');
  });

  it('R-19: ID numbers (18 and 15 characters), mobiles and landlines in free text are masked; other numbers stay', () => {
    expect(maskNumbers('身份证11010119900307123X，旧证110101900307123')).toBe(
      '身份证110**************X，旧证110***********3',
    );
    expect(maskNumbers('手机 139-8765-4321，座机 (0571) 8888 1234、025-83123456')).toBe(
      '手机 139****4321，座机 (0571****34、025****56',
    );
    const plain = 'RX20261130-0001 2026-11-30 08:30 12路 K301 票价 2 元 车号 10086 热线 96196';
    expect(maskNumbers(plain)).toBe(plain);
  });
});
