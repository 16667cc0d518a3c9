/**
 * The error catalogue of the Open API (PROTOCOL.md §4): the single source of truth for
 * every code, its HTTP status and its message. Messages are byte-for-byte those of the
 * original platform, Chinese included, because merchants' integrations match on them.
 */

export const ErrorCode = {
  OK: 0,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  FIELD_INVALID: 10001,
  SIGN_INVALID: 10002,
  TIMESTAMP_INVALID: 10003,
  METHOD_INVALID: 10004,
  CREDENTIALS_EMPTY: 10008,
  MERCHANT_EXPIRED: 10009,
  MERCHANT_NOT_VERIFIED: 10010,
  APP_SECRET_INVALID: 10013,
  APPID_INVALID: 10014,
  PICKUP_CODES_DISABLED: 10023,
  PICKUP_CODE_EXPIRED: 10024,
  PICKUP_CODE_USED: 10025,
  /** Extension: too many wrong pickup codes on this machine lately (docs/security.md); 429 with Retry-After. */
  TOO_MANY_WRONG_CODES: 10029,
  NO_MACHINE: 30001,
  MACHINE_OFFLINE: 30002,
  MACHINE_NOT_FOUND: 30003,
  MACHINE_NOT_OPERATING: 30004,
  /** Extension: the machine is vending (delivery_put.md's 出货停留时间); send again after its result. */
  MACHINE_BUSY: 30005,
  /** Extension: the machine runs the original firmware, which has no vend command (docs/mqtt.md, "Link profiles"). */
  MACHINE_CANNOT_VEND: 30006,
  PRODUCT_NOT_FOUND: 60001,
  PRODUCT_OFF_SALE: 60002,
  PRODUCT_OUT_OF_STOCK: 60003,
  RECORD_NOT_FOUND: 80002,
  /** Extension: the order is not paid, or its record is not waiting for a delivery (delivered, delivering). */
  RECORD_NOT_DELIVERABLE: 80004,
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

interface ErrorEntry {
  readonly httpStatus: number;
  readonly message: string;
}

export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, ErrorEntry>> = {
  [ErrorCode.OK]: { httpStatus: 200, message: 'ok' },
  [ErrorCode.BAD_REQUEST]: { httpStatus: 400, message: 'Bad Request' },
  [ErrorCode.NOT_FOUND]: { httpStatus: 404, message: 'Not Found' },
  [ErrorCode.METHOD_NOT_ALLOWED]: { httpStatus: 405, message: 'Method Not Allowed' },
  [ErrorCode.REQUEST_TIMEOUT]: { httpStatus: 408, message: 'Request Timeout' },
  [ErrorCode.TOO_MANY_REQUESTS]: { httpStatus: 429, message: 'Too Many Requests' },
  [ErrorCode.INTERNAL_ERROR]: { httpStatus: 500, message: 'Internal Server Error' },
  [ErrorCode.SERVICE_UNAVAILABLE]: { httpStatus: 503, message: 'Service Unavailable' },
  [ErrorCode.FIELD_INVALID]: { httpStatus: 400, message: '表单校验失败，请重新输入' },
  [ErrorCode.SIGN_INVALID]: { httpStatus: 401, message: 'sign is invalid' },
  [ErrorCode.TIMESTAMP_INVALID]: { httpStatus: 401, message: 'timestamp is invalid' },
  [ErrorCode.METHOD_INVALID]: { httpStatus: 400, message: 'method is invalid' },
  [ErrorCode.CREDENTIALS_EMPTY]: { httpStatus: 401, message: 'appid or appsecret is empty' },
  [ErrorCode.MERCHANT_EXPIRED]: { httpStatus: 403, message: '当前商户已过期，请先续费' },
  [ErrorCode.MERCHANT_NOT_VERIFIED]: { httpStatus: 403, message: '当前商户尚未验证，请先验证' },
  [ErrorCode.APP_SECRET_INVALID]: { httpStatus: 401, message: 'app secret is invalid' },
  [ErrorCode.APPID_INVALID]: { httpStatus: 401, message: 'appid is invalid' },
  [ErrorCode.PICKUP_CODES_DISABLED]: { httpStatus: 200, message: '取货码功能尚未开启' },
  [ErrorCode.PICKUP_CODE_EXPIRED]: { httpStatus: 200, message: '取货码已过期' },
  [ErrorCode.PICKUP_CODE_USED]: { httpStatus: 200, message: '取货码已使用' },
  [ErrorCode.TOO_MANY_WRONG_CODES]: { httpStatus: 429, message: 'too many wrong pickup codes on this machine' },
  [ErrorCode.NO_MACHINE]: { httpStatus: 200, message: '没有关联的设备号' },
  [ErrorCode.MACHINE_OFFLINE]: { httpStatus: 200, message: '设备已离线' },
  [ErrorCode.MACHINE_NOT_FOUND]: { httpStatus: 200, message: '设备不存在' },
  [ErrorCode.MACHINE_NOT_OPERATING]: { httpStatus: 200, message: '设备不在运营中' },
  [ErrorCode.MACHINE_BUSY]: { httpStatus: 200, message: '设备正在出货，请稍后再试' },
  [ErrorCode.MACHINE_CANNOT_VEND]: { httpStatus: 200, message: '设备固件不支持远程出货' },
  [ErrorCode.PRODUCT_NOT_FOUND]: { httpStatus: 200, message: '商品不存在' },
  [ErrorCode.PRODUCT_OFF_SALE]: { httpStatus: 200, message: '商品已下架' },
  [ErrorCode.PRODUCT_OUT_OF_STOCK]: { httpStatus: 200, message: '商品库存不足' },
  [ErrorCode.RECORD_NOT_FOUND]: { httpStatus: 200, message: '查不到对应记录' },
  [ErrorCode.RECORD_NOT_DELIVERABLE]: { httpStatus: 200, message: '订单未支付或该记录不在等待出货' },
};

/** A failure that the API answers with its documented code; anything else is a 500. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  /** What follows the catalogue message after `: ` (e.g. the name of the bad field). */
  readonly detail: string | undefined;
  readonly data: Record<string, unknown>;

  constructor(code: ErrorCode, detail?: string, data: Record<string, unknown> = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(detail ? `${entry.message}: ${detail}` : entry.message);
    this.name = 'ApiError';
    this.code = code;
    this.httpStatus = entry.httpStatus;
    this.detail = detail;
    this.data = data;
  }
}

/** Whether a code is a business-rule outcome (HTTP 200, non-zero code) rather than a request fault. */
export function isBusinessFailure(code: ErrorCode): boolean {
  return code !== ErrorCode.OK && ERROR_CATALOGUE[code].httpStatus === 200;
}

/** A 10001 naming the field, the way the original reports form-validation failures. */
export function invalidField(field: string, why?: string): ApiError {
  const name = safeFieldName(field);
  return new ApiError(ErrorCode.FIELD_INVALID, why ? `${name} ${why}` : name);
}

/** The longest field name an answer repeats; the rest is cut. */
const MAX_ECHOED_NAME = 64;

/**
 * A field name as an answer may repeat it: any name a client sent (an unknown one included)
 * is echoed, so control characters, bidirectional overrides and anything else beyond
 * printable ASCII are written as \uXXXX escapes, and a long name is cut.
 */
function safeFieldName(field: string): string {
  const escaped = field.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > MAX_ECHOED_NAME ? `${escaped.slice(0, MAX_ECHOED_NAME)}…` : escaped;
}
