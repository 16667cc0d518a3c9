/**
 * The words of an order's records (a code's page, the orders' pages), in both languages, by
 * record state rather than as flat keys of i18n.ts. A record's state is order_get.md's constant; the Chinese
 * words are the original platform's where its pages give them (未取货, 已取货, 出货完成, ...).
 */
import { useContext } from 'preact/hooks';
import { I18n, type Language } from '../i18n.js';

interface OrderWords {
  records: string;
  quantity: string;
  state: string;
  /** By order_get.md's record status. */
  states: Record<string, string>;
}

const WORDS: Record<Language, OrderWords> = {
  zh: {
    records: '订单明细',
    quantity: '数量',
    state: '出货状态',
    states: {
      WAITING_PICKED_UP: '未取货',
      IS_PICKED_UP: '已取货',
      IS_REFUND: '订单取消',
      IS_DELIVERING: '正在出货',
      IS_SUCCESS: '出货完成',
      IS_FAILED: '出货失败',
      IS_TIMEOUT: '出货超时',
    },
  },
  en: {
    records: 'Records',
    quantity: 'Quantity',
    state: 'Delivery state',
    states: {
      WAITING_PICKED_UP: 'Not picked up',
      IS_PICKED_UP: 'Picked up',
      IS_REFUND: 'Order cancelled',
      IS_DELIVERING: 'Being delivered',
      IS_SUCCESS: 'Delivered',
      IS_FAILED: 'Delivery failed',
      IS_TIMEOUT: 'Delivery timed out',
    },
  },
};

/** The record words in the chosen language; a state without words shows as its constant. */
export function useOrderWords(): OrderWords & { stateWords: (status: string | undefined) => string } {
  const words = WORDS[useContext(I18n).language];
  return { ...words, stateWords: (status) => (status === undefined ? '—' : words.states[status] ?? status) };
}
