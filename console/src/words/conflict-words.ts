/**
 * The words of a conflicting redemption (docs/mqtt.md) on a code's page, in both languages,
 * by what the redemption met rather than as flat keys of i18n.ts, with its `{name}` placeholders.
 */
import type { Language } from '../i18n.js';

/** What the redemption met, as the notice names it. */
export type ConflictMet = 'USED' | 'CANCELLED' | 'EXPIRED';

interface ConflictWords {
  title: string;
  met: Record<ConflictMet, string>;
}

const WORDS: Record<Language, ConflictWords> = {
  zh: {
    title: '取货冲突',
    met: {
      USED: '设备 {machine} 报告此取货码被取货，但它已被使用：商品可能已出货两次。',
      CANCELLED: '设备 {machine} 报告此取货码被取货，但它已被取消：商品已出货，取货码记为已使用。',
      EXPIRED: '设备 {machine} 报告此取货码被取货，但它已过期：商品已出货，取货码记为已使用。',
    },
  },
  en: {
    title: 'Conflict',
    met: {
      USED: 'Machine {machine} reported this code redeemed, but it was already used: the item may have left twice.',
      CANCELLED: 'Machine {machine} reported this code redeemed, but it had been cancelled: the item left, the code is now used.',
      EXPIRED: 'Machine {machine} reported this code redeemed, but it had expired: the item left, the code is now used.',
    },
  },
};

/** The notice's title and sentence for a conflict that met `met`, reported by `machine`. */
export function conflictWords(language: Language, met: ConflictMet, machine: string): { title: string; sentence: string } {
  const words = WORDS[language];
  return { title: words.title, sentence: words.met[met].replace('{machine}', machine) };
}
