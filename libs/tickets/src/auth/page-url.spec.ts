import { requirePageUnderPublicUrl } from './page-url';

describe('jsapi-config pages (issue 17, item 7)', () => {
  const ok = (url: string, base: string) => expect(() => requirePageUnderPublicUrl(url, base)).not.toThrow();
  const refused = (url: string, base: string) =>
    expect(() => requirePageUnderPublicUrl(url, base)).toThrow(expect.objectContaining({ field: 'url' }));

  it('R-19: pages under PUBLIC_URL are signed; any other origin, path or user info is refused', () => {
    ok('https://hotline.example.com/', 'https://hotline.example.com');
    ok('https://hotline.example.com/?corpId=x#/tickets/1', 'https://hotline.example.com');
    ok('https://corp.example.com/hotline/#/inbox', 'https://corp.example.com/hotline');
    ok('https://corp.example.com/hotline', 'https://corp.example.com/hotline/');
    refused('https://corp.example.com/other/', 'https://corp.example.com/hotline');
    refused('https://corp.example.com/hotline-evil/', 'https://corp.example.com/hotline');
    refused('https://hotline.example.com.evil.example/', 'https://hotline.example.com');
    refused('https://user:pw@hotline.example.com/', 'https://hotline.example.com');
    refused('http://hotline.example.com/', 'https://hotline.example.com');
    refused('not a url', 'https://hotline.example.com');
  });
});
