/**
 * The console's words in Chinese (the default, as the platform's own back office) and
 * English. Every label lives here once; `{name}` marks a value filled in.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

const zh = {
  appName: 'vendcloud 商户控制台',
  language: 'English',
  languageSwitch: 'Switch to English',
  signIn: '登录',
  signInTitle: '登录商户控制台',
  signInHint: '填写 vendcloud 为您的商户生成的凭据（npm start 的启动信息中也有）。AppSecret 只保存在本标签页，关闭即清除。',
  appId: 'Appid',
  appSecret: 'AppSecret',
  merchantId: '商户 ID（签名密钥）',
  signingSecret: '请求签名密钥（可选；商户要求强签名时必填）',
  signingIn: '正在登录…',
  signOut: '退出登录',
  signedInAs: '已登录：{appid}',
  skipToContent: '跳到正文',
  machines: '设备',
  apiReference: '接口文档',
  machinesTitle: '我的设备',
  noMachines: '还没有设备。',
  machineNo: '设备编号',
  machineName: '名称',
  online: '在线',
  offline: '离线',
  connection: '连接',
  lastSeen: '最后心跳',
  never: '从未',
  network: '网络',
  linkProfile: '通信协议',
  linkOriginal: '原版固件',
  linkExtended: '扩展',
  restock: '补货',
  restockAll: '整机补货',
  operating: '运营',
  inOperation: '运营中',
  notOperating: '未运营',
  pickupCodes: '取货码',
  on: '已开启',
  off: '未开启',
  liveCodes: '有效取货码',
  machineTitle: '设备 {no}',
  products: '商品',
  product: '商品',
  allProducts: '全部商品',
  channel: '货道',
  price: '价格',
  stock: '库存 / 容量',
  onSale: '在售',
  offSale: '已下架',
  noProducts: '这台设备还没有商品。',
  createCodes: '生成取货码',
  createFor: '为哪个商品',
  createForAll: '全部商品（按库存补足）',
  count: '数量',
  codeLength: '位数',
  expiresAt: '过期时间（可选，{zone}）',
  create: '生成',
  creating: '正在生成…',
  created: '已生成 {n} 个取货码：{codes}',
  createdNone: '没有需要补足的取货码。',
  codes: '取货码',
  status: '状态',
  searchCode: '按取货码搜索',
  filter: '筛选',
  code: '取货码',
  createdAt: '生成时间',
  expires: '过期时间',
  noExpiry: '永不过期',
  endedAt: '使用 / 取消时间',
  actions: '操作',
  history: '记录',
  cancel: '取消',
  noCodes: '没有符合条件的取货码。',
  page: '第 {page} / {last} 页，共 {total} 个',
  previous: '上一页',
  next: '下一页',
  confirmCancelTitle: '取消取货码 {code}？',
  confirmCancelText: '取消后顾客无法再使用这个取货码，设备也会删除它。',
  confirmCancel: '确认取消',
  keep: '不取消',
  cancelled: '取货码 {code} 已取消。',
  cancelAll: '取消全部取货码',
  cancelAllTitle: '取消设备 {no} 的全部未使用取货码？',
  cancelAllText: '这会取消 {n} 个有效取货码（以及已过期但未使用的）。请输入设备编号确认。',
  typeMachineNo: '输入设备编号',
  cancelAllConfirm: '全部取消',
  cancelAllMismatch: '设备编号不一致，没有取消任何取货码。',
  cancelledAll: '已取消 {n} 个取货码。',
  close: '关闭',
  codeTitle: '取货码 {code}',
  codeLife: '生命周期',
  noEvents: '没有记录。',
  order: '订单',
  orderId: '订单号',
  tradeId: '商户订单号',
  amount: '金额',
  date: '日期',
  pushesPurged: '发往设备的记录只保留一天。',
  by: '操作方',
  request: '请求 ID',
  back: '返回',
  loading: '加载中…',
  updatedAt: '已更新 {time}（每 {seconds} 秒自动刷新）',
  errorPrefix: '错误 {code}：{message}',
  networkError: '无法连接服务器：{message}',
  signInFailed: '登录失败',
  required: '请填写此项',
  merchantIdInvalid: '商户 ID 必须是正整数',
  'status.UNUSED': '未使用',
  'status.USED': '已使用',
  'status.EXPIRED': '已过期',
  'status.CANCELLED': '已取消',
  'status.ALL': '全部',
  'action.create': '生成',
  'action.cancel': '取消',
  'action.consume': '通过接口核销',
  'action.redeem': '设备上取货',
  'action.conflict': '设备上取货冲突',
  'push.client.pickup_codes.create': '下发到设备（新取货码）',
  'push.client.pickup_codes.delete': '下发到设备（删除）',
  'push.client.pickup_codes.sync': '下发到设备（完整列表）',
  pushQueued: '已排队，等待设备连接',
  pushSent: '已交给 MQTT 服务器：',
  'actor.merchant': '商户 {id}',
  'actor.machine': '设备 {id}',
  'actor.admin': '管理员',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appName: 'vendcloud merchant console',
  language: '中文',
  languageSwitch: '切换到中文',
  signIn: 'Sign in',
  signInTitle: 'Sign in to the merchant console',
  signInHint: 'Use the credentials vendcloud issued to your merchant (npm start prints them). The AppSecret stays in this tab only and is gone when it closes.',
  appId: 'Appid',
  appSecret: 'AppSecret',
  merchantId: 'Merchant id (the signing key)',
  signingSecret: 'Request signing secret (optional; needed when the merchant requires the signature)',
  signingIn: 'Signing in…',
  signOut: 'Sign out',
  signedInAs: 'Signed in: {appid}',
  skipToContent: 'Skip to content',
  machines: 'Machines',
  apiReference: 'API reference',
  machinesTitle: 'My machines',
  noMachines: 'No machines yet.',
  machineNo: 'Machine no.',
  machineName: 'Name',
  online: 'Online',
  offline: 'Offline',
  connection: 'Connection',
  lastSeen: 'Last heartbeat',
  never: 'never',
  network: 'Network',
  linkProfile: 'Link',
  linkOriginal: 'original firmware',
  linkExtended: 'extended',
  restock: 'Restock',
  restockAll: 'Restock the whole machine',
  operating: 'Operating',
  inOperation: 'In operation',
  notOperating: 'Not operating',
  pickupCodes: 'Pickup codes',
  on: 'On',
  off: 'Off',
  liveCodes: 'Live codes',
  machineTitle: 'Machine {no}',
  products: 'Products',
  product: 'Product',
  allProducts: 'All products',
  channel: 'Channel',
  price: 'Price',
  stock: 'Stock / capacity',
  onSale: 'On sale',
  offSale: 'Off sale',
  noProducts: 'This machine has no products yet.',
  createCodes: 'Create pickup codes',
  createFor: 'For',
  createForAll: 'Every product (topped up to its stock)',
  count: 'Count',
  codeLength: 'Digits',
  expiresAt: 'Expires at (optional, {zone})',
  create: 'Create',
  creating: 'Creating…',
  created: 'Created {n} codes: {codes}',
  createdNone: 'No codes were needed.',
  codes: 'Pickup codes',
  status: 'Status',
  searchCode: 'Search by code',
  filter: 'Filter',
  code: 'Code',
  createdAt: 'Created',
  expires: 'Expires',
  noExpiry: 'never',
  endedAt: 'Used / cancelled',
  actions: 'Actions',
  history: 'History',
  cancel: 'Cancel',
  noCodes: 'No codes match.',
  page: 'Page {page} of {last}, {total} codes',
  previous: 'Previous',
  next: 'Next',
  confirmCancelTitle: 'Cancel code {code}?',
  confirmCancelText: 'A customer can no longer use it, and the machine drops it.',
  confirmCancel: 'Cancel the code',
  keep: 'Keep it',
  cancelled: 'Code {code} was cancelled.',
  cancelAll: 'Cancel all codes',
  cancelAllTitle: 'Cancel every unused code of machine {no}?',
  cancelAllText: 'This cancels {n} live codes (and expired unused ones). Type the machine number to confirm.',
  typeMachineNo: 'Type the machine number',
  cancelAllConfirm: 'Cancel them all',
  cancelAllMismatch: 'The machine number does not match; nothing was cancelled.',
  cancelledAll: '{n} codes were cancelled.',
  close: 'Close',
  codeTitle: 'Code {code}',
  codeLife: 'Life of the code',
  noEvents: 'Nothing recorded.',
  order: 'Order',
  orderId: 'Order id',
  tradeId: 'Trade id',
  amount: 'Amount',
  date: 'Date',
  pushesPurged: 'Pushes to the machine are kept for a day.',
  by: 'By',
  request: 'Request id',
  back: 'Back',
  loading: 'Loading…',
  updatedAt: 'Updated {time} (refreshes every {seconds} s)',
  errorPrefix: 'Error {code}: {message}',
  networkError: 'Cannot reach the server: {message}',
  signInFailed: 'Sign-in failed',
  required: 'Please fill this in',
  merchantIdInvalid: 'The merchant id is a positive whole number',
  'status.UNUSED': 'Unused',
  'status.USED': 'Used',
  'status.EXPIRED': 'Expired',
  'status.CANCELLED': 'Cancelled',
  'status.ALL': 'All',
  'action.create': 'Created',
  'action.cancel': 'Cancelled',
  'action.consume': 'Consumed through the API',
  'action.redeem': 'Redeemed at the machine',
  'action.conflict': 'Conflicting redemption at the machine',
  'push.client.pickup_codes.create': 'Pushed to the machine (new code)',
  'push.client.pickup_codes.delete': 'Pushed to the machine (remove)',
  'push.client.pickup_codes.sync': 'Pushed to the machine (whole list)',
  pushQueued: 'queued, waiting for the machine',
  pushSent: 'handed to the MQTT broker at ',
  'actor.merchant': 'merchant {id}',
  'actor.machine': 'machine {id}',
  'actor.admin': 'operator',
};

export type Language = 'zh' | 'en';
const dictionaries: Record<Language, Record<MessageKey, string>> = { zh, en };

/** The language choice is no secret, so it may outlive the tab. */
const LANGUAGE_KEY = 'vendcloud.console.language';

/** The language chosen here before, else the browser's: Chinese for any zh-*, English for the rest. */
export function savedLanguage(): Language {
  const saved = localStorage.getItem(LANGUAGE_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  const preferred = navigator.languages?.[0] ?? navigator.language ?? '';
  return /^zh\b/i.test(preferred) ? 'zh' : 'en';
}

export function saveLanguage(language: Language): void {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** A message kept as its key and values, so it is said in whichever language is chosen when it shows. */
export interface Message {
  key: MessageKey;
  values?: Record<string, string | number>;
}

/** A refusal the console itself makes (before asking the server), said in the chosen language. */
export class ConsoleRefusal extends Error {
  constructor(readonly refusal: Message) {
    super(refusal.key);
    this.name = 'ConsoleRefusal';
  }
}

export function translator(language: Language): Translate {
  return (key, values = {}) => dictionaries[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** Keys built from wire values (a status, an action), for words the dictionary may not have. */
export function knownKey(key: string): key is MessageKey {
  return key in zh;
}

export const I18n = createContext<{ t: Translate; language: Language }>({ t: translator('zh'), language: 'zh' });

export function useT(): Translate {
  return useContext(I18n).t;
}
