/** Where a callback may go: each refused range named, its edges, IPv4 hidden in IPv6, and the URL checks made without DNS. */
import assert from 'node:assert/strict';
import { describe, it } from '../helpers/node-test.js';
import { refusedAddress, refusedCallbackUrl } from '../../src/domain/callback-targets.js';

describe('refused addresses', () => {
  it('every IPv4 range inside the platform is refused with its name, at both ends', () => {
    const cases: Array<[string, string, string]> = [
      ['0.0.0.0', '0.255.255.255', 'this network'],
      ['10.0.0.0', '10.255.255.255', 'private'],
      ['100.64.0.0', '100.127.255.255', 'shared (CGNAT)'],
      ['127.0.0.0', '127.255.255.255', 'loopback'],
      ['169.254.0.0', '169.254.255.255', 'link-local'],
      ['172.16.0.0', '172.31.255.255', 'private'],
      ['192.0.0.0', '192.0.0.255', 'IETF protocol assignments'],
      ['192.0.2.0', '192.0.2.255', 'documentation'],
      ['192.88.99.0', '192.88.99.255', '6to4 relay'],
      ['192.168.0.0', '192.168.255.255', 'private'],
      ['198.18.0.0', '198.19.255.255', 'benchmarking'],
      ['198.51.100.0', '198.51.100.255', 'documentation'],
      ['203.0.113.0', '203.0.113.255', 'documentation'],
      ['224.0.0.0', '239.255.255.255', 'multicast'],
      ['240.0.0.0', '255.255.255.255', 'reserved'],
    ];
    for (const [first, last, reason] of cases) {
      assert.equal(refusedAddress(first), reason, first);
      assert.equal(refusedAddress(last), reason, last);
    }
  });
  it('public IPv4 addresses just outside the ranges are allowed', () => {
    for (const address of ['1.0.0.1', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.0', '192.0.3.0', '192.88.98.255', '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0', '203.0.112.255', '223.255.255.255', '8.8.8.8']) {
      assert.equal(refusedAddress(address), undefined, address);
    }
  });
  it('every IPv6 range inside the platform is refused with its name', () => {
    const cases: Array<[string, string]> = [
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['64:ff9b::1', 'NAT64'],
      ['64:ff9b:1:ffff::1', 'NAT64'],
      ['100::1', 'discard'],
      ['2001:db8:ffff::1', 'documentation'],
      ['2002:ffff::1', '6to4'],
      ['fc00::1', 'unique-local'],
      ['fdff:ffff::1', 'unique-local'],
      ['fe80::1', 'link-local'],
      ['febf::1', 'link-local'],
      ['fec0::1', 'site-local'],
      ['feff::1', 'site-local'],
      ['ff02::1', 'multicast'],
    ];
    for (const [address, reason] of cases) assert.equal(refusedAddress(address), reason, address);
  });
  it('public IPv6 addresses next to the ranges are allowed', () => {
    for (const address of ['::2', '2001:4860:4860::8888', '64:ff9b:2::1', '100:0:0:1::1', '2001:db9::1', '2003::1', 'fbff::1', 'fe00::1']) {
      assert.equal(refusedAddress(address), undefined, address);
    }
  });
  it('IPv4 carried in IPv6 is judged as the IPv4 address it carries, dotted or hex, mapped or compatible', () => {
    assert.equal(refusedAddress('::ffff:127.0.0.1'), 'loopback');
    assert.equal(refusedAddress('::ffff:0:10.0.0.1'), 'private');
    assert.equal(refusedAddress('::10.0.0.1'), 'private');
    assert.equal(refusedAddress('::ffff:7f00:1'), 'loopback');
    assert.equal(refusedAddress('::FFFF:A9FE:A9FE'), 'link-local');
    assert.equal(refusedAddress('::ffff:0:a00:1'), 'private');
    assert.equal(refusedAddress('::ffff:c0a8:0101'), 'private');
    assert.equal(refusedAddress('::ffff:8.8.8.8'), undefined);
    assert.equal(refusedAddress('::ffff:808:808'), undefined);
    // Every octet and group at its full width, and the long zero group of ::ffff:0:.
    assert.equal(refusedAddress('::10.20.30.40'), 'private');
    assert.equal(refusedAddress('::a14:1e28'), 'private');
    assert.equal(refusedAddress('::ffff:0000:10.0.0.1'), 'private');
    assert.equal(refusedAddress('::ffff:0000:a00:1'), 'private');
  });
  it('only an address that is nothing but the carried IPv4 is judged as IPv4: a refused IPv6 prefix still refuses', () => {
    assert.equal(refusedAddress('fe80::8.8.8.8'), 'link-local');
    assert.equal(refusedAddress('fe80::808:808'), 'link-local');
    assert.equal(refusedAddress('::1:2:3'), undefined);
  });
  it('brackets and a zone are stripped before judging; anything not an IP is refused', () => {
    assert.equal(refusedAddress('[::1]'), 'loopback');
    assert.equal(refusedAddress('fe80::1%eth0'), 'link-local');
    assert.equal(refusedAddress('[2001:4860:4860::8888]'), undefined);
    assert.equal(refusedAddress('example.com'), 'not an IP address');
    assert.equal(refusedAddress('x[::1]'), 'not an IP address');
    assert.equal(refusedAddress('[::1]]'), 'not an IP address');
    assert.equal(refusedAddress('[[::1]'), 'not an IP address');
  });
});

describe('refused callback URLs', () => {
  it('only a parseable http or https URL without credentials can be a target', () => {
    assert.equal(refusedCallbackUrl('not a url', false), 'not a URL');
    assert.equal(refusedCallbackUrl('ftp://example.com/', false), 'only http and https');
    assert.equal(refusedCallbackUrl('http://user@example.com/', false), 'no credentials in the URL');
    assert.equal(refusedCallbackUrl('http://:pw@example.com/', false), 'no credentials in the URL');
    assert.equal(refusedCallbackUrl('http://example.com/hook', false), undefined);
    assert.equal(refusedCallbackUrl('https://example.com/hook', false), undefined);
  });
  it('a literal private address or localhost is refused unless private targets are allowed', () => {
    assert.equal(refusedCallbackUrl('http://127.0.0.1:8080/', false), 'loopback');
    assert.equal(refusedCallbackUrl('http://[::1]/', false), 'loopback');
    assert.equal(refusedCallbackUrl('http://localhost/', false), 'loopback');
    assert.equal(refusedCallbackUrl('http://api.localhost/', false), 'loopback');
    assert.equal(refusedCallbackUrl('http://10.1.2.3/', false), 'private');
    assert.equal(refusedCallbackUrl('http://8.8.8.8/', false), undefined);
    assert.equal(refusedCallbackUrl('http://notlocalhost/', false), undefined);
    assert.equal(refusedCallbackUrl('http://127.0.0.1/', true), undefined);
    assert.equal(refusedCallbackUrl('http://localhost/', true), undefined);
    assert.equal(refusedCallbackUrl('ftp://127.0.0.1/', true), 'only http and https');
    assert.equal(refusedCallbackUrl('http://u:p@127.0.0.1/', true), 'no credentials in the URL');
  });
});
