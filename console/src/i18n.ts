/**
 * The console's words in Chinese (the default, as the platform's own back office) and
 * English. Every label lives once, in the words file of the pages that show it
 * (words/*.ts); `{name}` marks a value filled in.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import * as callbacks from './words/callbacks.js';
import * as codes from './words/codes.js';
import * as common from './words/common.js';
import * as machine from './words/machine.js';
import * as orders from './words/orders.js';

const zh = { ...common.zh, ...machine.zh, ...codes.zh, ...orders.zh, ...callbacks.zh } as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = { ...common.en, ...machine.en, ...codes.en, ...orders.en, ...callbacks.en };

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
