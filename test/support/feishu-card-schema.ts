/**
 * The essentials of Feishu's card JSON, as the fake open platform checks them
 * (飞书卡片 JSON 1.0 "卡片结构" and JSON 2.0 "卡片 JSON 2.0 结构" pages): the top-level
 * shape, the element tags each version knows, the fields a header, a markdown
 * element and a button must have, and the size limit. Not the whole schema:
 * what a card the bot sends could plausibly get wrong.
 */

export const CARD_MAX_BYTES = 30 * 1024;

const TEMPLATES = new Set(['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default']);
const TEXT_TAGS = new Set(['plain_text', 'lark_md']);
const BUTTON_TYPES = new Set(['default', 'primary', 'danger', 'text', 'primary_text', 'danger_text', 'primary_filled', 'danger_filled', 'laser']);
const V1_TAGS = new Set(['div', 'markdown', 'hr', 'action', 'note', 'img', 'column_set']);
const V1_ACTION_TAGS = new Set(['button', 'select_static', 'select_person', 'overflow', 'date_picker', 'picker_time', 'picker_datetime']);
const V2_TAGS = new Set(['div', 'markdown', 'hr', 'img', 'column_set', 'button', 'form', 'collapsible_panel', 'interactive_container', 'table', 'chart', 'person', 'person_list', 'input', 'select_static', 'overflow', 'checker', 'img_combination', 'audio', 'video']);

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, where: string, errors: string[]): void {
  if (!isObj(v) || !TEXT_TAGS.has(String(v['tag'])) || typeof v['content'] !== 'string') errors.push(`${where}: a text object {tag: plain_text|lark_md, content} is required`);
}

function header(h: unknown, errors: string[]): void {
  if (h === undefined) return;
  if (!isObj(h)) return void errors.push('header: not an object');
  text(h['title'], 'header.title', errors);
  if (h['template'] !== undefined && !TEMPLATES.has(String(h['template']))) errors.push(`header.template: unknown colour ${String(h['template'])}`);
}

function button(b: Json, where: string, errors: string[], version: 1 | 2): void {
  text(b['text'], `${where}.text`, errors);
  if (b['type'] !== undefined && !BUTTON_TYPES.has(String(b['type']))) errors.push(`${where}.type: unknown button type ${String(b['type'])}`);
  if (version === 1 && b['value'] !== undefined && !isObj(b['value'])) errors.push(`${where}.value: must be an object`);
  if (version === 2 && b['behaviors'] === undefined && b['value'] === undefined) errors.push(`${where}: a button needs behaviors (or value)`);
}

function elementV1(e: unknown, where: string, errors: string[]): void {
  if (!isObj(e)) return void errors.push(`${where}: not an object`);
  const tag = String(e['tag']);
  if (!V1_TAGS.has(tag)) return void errors.push(`${where}: tag ${tag} is not a card JSON 1.0 element`);
  if (tag === 'markdown' && typeof e['content'] !== 'string') errors.push(`${where}.content: string required`);
  if (tag === 'div' && e['text'] !== undefined) text(e['text'], `${where}.text`, errors);
  if (tag === 'action') {
    const actions = e['actions'];
    if (!Array.isArray(actions) || actions.length === 0) return void errors.push(`${where}.actions: a non-empty array is required`);
    actions.forEach((a, i) => {
      if (!isObj(a) || !V1_ACTION_TAGS.has(String(a['tag']))) return void errors.push(`${where}.actions[${i}]: unknown interactive element`);
      if (a['tag'] === 'button') button(a, `${where}.actions[${i}]`, errors, 1);
    });
  }
}

function elementV2(e: unknown, where: string, errors: string[]): void {
  if (!isObj(e)) return void errors.push(`${where}: not an object`);
  const tag = String(e['tag']);
  if (!V2_TAGS.has(tag)) return void errors.push(`${where}: tag ${tag} is not a card JSON 2.0 component (2.0 has no action or note module)`);
  if (tag === 'markdown' && typeof e['content'] !== 'string') errors.push(`${where}.content: string required`);
  if (tag === 'button') button(e, where, errors, 2);
}

/** Problems of a card (content string of an interactive message); empty when Feishu would take it. */
export function cardProblems(content: string): string[] {
  const errors: string[] = [];
  if (Buffer.byteLength(content, 'utf8') > CARD_MAX_BYTES) errors.push(`card larger than ${CARD_MAX_BYTES} bytes`);
  let card: unknown;
  try {
    card = JSON.parse(content);
  } catch {
    return ['card content is not JSON'];
  }
  if (!isObj(card)) return ['card is not an object'];
  if (card['config'] !== undefined && !isObj(card['config'])) errors.push('config: not an object');
  header(card['header'], errors);
  if (card['schema'] === '2.0') {
    const body = card['body'];
    if (!isObj(body) || !Array.isArray(body['elements'])) errors.push('body.elements: required in card JSON 2.0');
    else body['elements'].forEach((e, i) => elementV2(e, `body.elements[${i}]`, errors));
    if (card['elements'] !== undefined) errors.push('elements: card JSON 2.0 puts elements under body');
  } else if (card['schema'] !== undefined) {
    errors.push(`schema: unknown card schema ${String(card['schema'])}`);
  } else {
    if (!Array.isArray(card['elements']) && !isObj(card['i18n_elements'])) errors.push('elements: required in card JSON 1.0');
    else if (Array.isArray(card['elements'])) card['elements'].forEach((e, i) => elementV1(e, `elements[${i}]`, errors));
  }
  return errors;
}

/** Whether a card declares itself shared (config.update_multi), which an update needs on both the old and the new card. */
export function isSharedCard(content: string): boolean {
  try {
    const card = JSON.parse(content) as Json;
    // JSON 2.0 cards are always shared.
    return card['schema'] === '2.0' || (isObj(card['config']) && card['config']['update_multi'] === true);
  } catch {
    return false;
  }
}
