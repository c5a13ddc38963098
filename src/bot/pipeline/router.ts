/**
 * Where a message goes: the router's steps, in order. Each step acts and
 * stops, or passes the event to the next (a step for some roles only is passed
 * by everyone else). Adding a kind of message is adding a step here.
 */
import { compose, type Step } from './event-context.js';
import { keepAttachments } from './steps/attachments.js';
import { chitChat } from './steps/chit-chat.js';
import { buttonClick } from './steps/click.js';
import { chatCommand } from './steps/command.js';
import { commandsOnlyOutsideCustomerChats } from './steps/commands-only.js';
import { consultationAnswer } from './steps/consultation-answer.js';
import { followUp } from './steps/follow-up.js';
import { intake } from './steps/intake.js';
import { lateRating } from './steps/late-rating.js';
import { membership } from './steps/membership.js';
import { pendingAnswer } from './steps/pending-answer.js';
import { resolveChatAndPerson } from './steps/resolve.js';
import { recall } from './steps/recall.js';
import { keepVoiceAndNotes } from './steps/shared-notes.js';
import { skipOwnMessages } from './steps/skip-own.js';
import { untranscribedVoice } from './steps/voice.js';

export const ROUTER_STEPS: readonly Step[] = [
  skipOwnMessages, // the bot's own messages, echoed by a platform
  recall, // a message withdrawn by its sender (no one to resolve)
  resolveChatAndPerson, // which chat, who (roles from configuration)
  keepAttachments, // pictures kept on the ticket, once the steps below are done
  keepVoiceAndNotes, // held voice and shared locations/cards kept on the ticket, likewise
  untranscribedVoice, // voice nobody could read: the customer is asked to type it
  membership, // the bot added to or removed from a chat
  buttonClick, // a click is the command on its button
  chatCommand, // 接单 #12, 查询 … (a customer's only when written as one)
  commandsOnlyOutsideCustomerChats, // managers' group, private chats: commands only
  lateRating, // customer: "满意" after the rating question expired
  pendingAnswer, // customer, desk: the answer to the bot's open question
  intake, // customer, desk: a new report (fault, consultation, complaint)
  consultationAnswer, // engineer, manager: a reply to a consultation
  followUp, // customer, desk: thanks, "到场了吗" / a chase (which ticket, when several), a missing site or phone
  chitChat, // nothing to act on (a customer's @-mention of the bot or reply to it still answered)
];

/** Routes one event through the steps. */
export const route = compose(ROUTER_STEPS);
