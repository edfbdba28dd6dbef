// A seeded generator of long-term conversations between two named people over months: small talk
// with facts woven in (jobs, pets, trips, dated events, preferences that change, family), and
// questions annotated with the turns that answer them. It stands in for public long-conversation
// benchmarks, which cannot be downloaded here, and it is built to miss the same ways they do:
// paraphrased questions, answers in the reply next to the question's words, dates named in the
// question but not in the text, multi-hop, and questions nothing answers.
import { Rng as SeededRng } from '../eval/rng';

export type Category = 'literal' | 'paraphrase' | 'adjacent' | 'date' | 'relative-date' | 'update' | 'multi-hop' | 'unanswerable';
export const CATEGORIES: readonly Category[] = ['literal', 'paraphrase', 'adjacent', 'date', 'relative-date', 'update', 'multi-hop', 'unanswerable'];

export interface Turn {
  speaker: string;
  text: string;
  /** ISO time the turn was said. */
  time: string;
}

export interface Session {
  start: string;
  turns: Turn[];
}

export interface Question {
  category: Category;
  text: string;
  /** When the question is asked: relative dates ("last Tuesday") are read from here. */
  askedAt: string;
  /** [session, turn] of every turn needed to answer; empty when nothing answers it. */
  evidence: Array<[number, number]>;
}

export interface Conversation {
  name: string;
  people: [string, string];
  sessions: Session[];
  questions: Question[];
}

export interface GenOptions {
  seed: number;
  conversations?: number;
  sessions?: number;
}

const DAY = 86_400_000;
const TURN_MINUTES = 2;

/** The draws this generator needs, over the eval's seeded generator (mulberry32). */
class Rng {
  private readonly seeded: SeededRng;
  constructor(seed: number) {
    this.seeded = new SeededRng(seed);
  }
  private next(): number {
    return this.seeded.next();
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** `n` distinct items. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }
}

const NAMES = ['Melanie', 'Caroline', 'Jon', 'Gina', 'Priya', 'Tomasz', 'Aiko', 'Marcus', 'Leila', 'Owen', 'Sofia', 'Dev', 'Hannah', 'Rafael', 'Nadia', 'Felix', 'Yusuf', 'Greta', 'Ines', 'Callum'];
const SIBLINGS = ['Clara', 'Ruth', 'Beth', 'Lena', 'Maya', 'Zoe', 'Tessa', 'Ana'];
const JOBS = [
  { job: 'nurse', place: 'St Mary\'s hospital' },
  { job: 'software tester', place: 'a fintech startup' },
  { job: 'primary school teacher', place: 'Hillside Primary' },
  { job: 'barista', place: 'the corner café on Elm Street' },
  { job: 'electrician', place: 'a small building firm' },
  { job: 'graphic designer', place: 'an advertising agency' },
  { job: 'paramedic', place: 'the regional ambulance service' },
  { job: 'accountant', place: 'a tax office downtown' },
];
const PETS = [
  { species: 'dog', names: ['Biscuit', 'Rufus', 'Pepper'] },
  { species: 'cat', names: ['Miso', 'Luna', 'Oliver'] },
  { species: 'rabbit', names: ['Clover', 'Thumper'] },
  { species: 'parrot', names: ['Kiwi', 'Mango'] },
  { species: 'tortoise', names: ['Sheldon', 'Pebble'] },
];
const TRIPS = [
  { city: 'Lisbon', food: 'grilled sardines', sight: 'the yellow trams' },
  { city: 'Kyoto', food: 'bowls of ramen', sight: 'the bamboo forest' },
  { city: 'Reykjavik', food: 'lamb soup', sight: 'the northern lights' },
  { city: 'Naples', food: 'wood-fired pizza', sight: 'Vesuvius' },
  { city: 'Oaxaca', food: 'mole and tlayudas', sight: 'the Monte Albán ruins' },
  { city: 'Edinburgh', food: 'haggis, surprisingly good', sight: 'the castle at night' },
];
const EVENTS = [
  { said: 'I ran my first half marathon this morning! My legs are jelly.', what: 'run a half marathon' },
  { said: 'Just got back from the Coldplay concert, I can still hear the crowd.', what: 'go to a concert' },
  { said: 'Today was my first pottery class, I made a very lopsided bowl.', what: 'take a pottery class' },
  { said: 'We finally moved into the new flat today, boxes everywhere.', what: 'move flat' },
  { said: 'I passed my driving test this afternoon!!', what: 'pass a driving test' },
  { said: 'Spent the whole day volunteering at the food bank, exhausting but good.', what: 'volunteer at the food bank' },
  { said: 'Went to my cousin\'s wedding today, danced until midnight.', what: 'go to a wedding' },
  { said: 'Had my wisdom teeth out this morning, eating soup through a straw.', what: 'have teeth out' },
];
const HOBBIES = ['rock climbing at the bouldering gym', 'learning the cello', 'knitting scarves for everyone', 'baking sourdough every weekend', 'birdwatching by the reservoir', 'restoring an old motorbike'];
const PREFS = [
  { thing: 'favourite food', values: ['sushi', 'tacos', 'lasagne', 'pho', 'dumplings'] },
  { thing: 'favourite band', values: ['Radiohead', 'Fleetwood Mac', 'Arctic Monkeys', 'ABBA', 'Bon Iver'] },
  { thing: 'favourite TV show', values: ['The Bear', 'Severance', 'Bluey', 'Succession', 'Taskmaster'] },
];
const NEVER_PETS = ['hamster', 'snake', 'goldfish', 'horse'];
const NEVER_THINGS = ['What instrument does {p} play in the orchestra?', 'Which university did {p} graduate from?', 'What car does {p} drive?', 'What is the name of {p}\'s brother?', 'Which marathon did {p} win a medal at?'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Small talk, with the words facts use (work, dog, trip, favourite, sister, numbers) so that keyword
// matches are not free.
const SMALL_TALK = [
  'Hey! How has your week been?',
  'Work has been so busy lately, I barely have time to breathe.',
  'The weather has been awful, rain every single day.',
  'Did you watch anything good this weekend?',
  'I finally finished that book you recommended, I\'d give it 9 out of 10.',
  'My neighbour\'s dog barked all night again.',
  'We should plan a trip together sometime.',
  'I\'ve been trying to cook more at home, mostly pasta.',
  'My favourite part of the weekend is sleeping in.',
  'My sister called for an hour about nothing, as usual.',
  'Traffic this morning was a nightmare, took me 40 minutes.',
  'I need a holiday so badly.',
  'Have you tried that new café by the station?',
  'I signed up for a gym membership, let\'s see if I actually go.',
  'Honestly I spent most of Sunday on the sofa.',
  'The kids next door started learning the drums. Pray for me.',
  'I\'m thinking of repainting the living room, maybe green.',
  'My phone screen cracked, third time this year.',
  'We had friends over for dinner on Friday, it was lovely.',
  'Someone at work brought in cake, best day of the month.',
  'I read that the shelter near me needs volunteers.',
  'I keep meaning to call my parents more often.',
  'The garden is finally growing tomatoes, about 10 of them.',
  'Did I tell you the boiler broke? Cold showers for 3 days.',
];
const REPLIES = ['Haha, totally.', 'Oh no, that sounds rough.', 'That sounds fun!', 'Same here honestly.', 'Ha, I know the feeling.', 'Oh nice, tell me more.', 'Fingers crossed for you.', 'That made me laugh.', 'Wow, really?', 'I hear you.'];

type Person = {
  name: string;
  sibling: string;
  siblingCity: string;
  job: (typeof JOBS)[number];
  job2: (typeof JOBS)[number];
  pet: { species: string; name: string };
  trip: (typeof TRIPS)[number];
  events: Array<(typeof EVENTS)[number]>;
  hobby: string;
  pref: { thing: string; before: string; after: string };
};

/** A fact exchange: turns said together (by the fact's owner `0` or the other person `1`), placed in one session. */
interface Episode {
  session: number;
  turns: Array<{ by: 0 | 1; text: string }>;
  /** Questions about it; evidence as indices into `turns`, or into other episodes through `extra`. */
  questions: Array<{ category: Category; text: string; evidence: number[]; extra?: Array<{ episode: Episode; turn: number }>; askedOffsetDays?: number }>;
  /** Set once placed. */
  placed?: { session: number; first: number };
}

function person(rng: Rng, name: string): Person {
  const [job, job2] = rng.sample(JOBS, 2);
  const petKind = rng.pick(PETS);
  const pref = rng.pick(PREFS);
  const [before, after] = rng.sample(pref.values, 2);
  return {
    name,
    sibling: rng.pick(SIBLINGS),
    siblingCity: rng.pick(['Glasgow', 'Montreal', 'Melbourne', 'Porto', 'Berlin', 'Denver']),
    job,
    job2,
    pet: { species: petKind.species, name: rng.pick(petKind.names) },
    trip: rng.pick(TRIPS),
    events: rng.sample(EVENTS, 3),
    hobby: rng.pick(HOBBIES),
    pref: { thing: pref.thing, before, after },
  };
}

function dayName(ms: number, rng: Rng): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  const month = MONTHS[d.getUTCMonth()];
  return rng.pick([`on ${day} ${month}`, `on ${month} ${day}`, `on the ${ordinal(day)} of ${month}`]);
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

function episodesFor(p: Person, other: Person, sessions: number, rng: Rng): Episode[] {
  const n = p.name;
  const at = (lo: number, hi: number) => rng.int(Math.floor(lo * sessions), Math.min(sessions - 1, Math.floor(hi * sessions)));
  const eps: Episode[] = [];
  const job1: Episode = {
    session: at(0, 0.3),
    turns: [
      { by: 1, text: 'So what are you up to these days?' },
      { by: 0, text: `I started as a ${p.job.job} at ${p.job.place} a few weeks ago. Long shifts but I like it.` },
    ],
    questions: [
      { category: 'paraphrase', text: `What does ${n} do for a living?`, evidence: [1] },
      { category: 'literal', text: `Where did ${n} start working as a ${p.job.job}?`, evidence: [1] },
    ],
  };
  const job2: Episode = {
    session: at(0.6, 1),
    turns: [{ by: 0, text: `Big news: I left ${p.job.place}. I'm a ${p.job2.job} at ${p.job2.place} now.` }, { by: 1, text: 'Whoa, congratulations on the change!' }],
    questions: [{ category: 'update', text: `What is ${n}'s current job?`, evidence: [0] }],
  };
  const pet: Episode = {
    session: at(0, 0.5),
    turns: [
      { by: 0, text: `We adopted a ${p.pet.species} from the shelter! We're calling him ${p.pet.name}.` },
      { by: 1, text: `${p.pet.name}, that is adorable. Send pictures!` },
    ],
    questions: [
      { category: 'literal', text: `What ${p.pet.species} did ${n} adopt from the shelter?`, evidence: [0] },
      { category: 'paraphrase', text: `What's the name of the animal ${n} took in?`, evidence: [0] },
    ],
  };
  const trip: Episode = {
    session: at(0.2, 0.8),
    turns: [
      { by: 1, text: `How was your trip to ${p.trip.city}?` },
      { by: 0, text: `Amazing. We saw ${p.trip.sight} and ate ${p.trip.food} every night.` },
    ],
    questions: [
      { category: 'adjacent', text: `What did ${n} eat on the trip to ${p.trip.city}?`, evidence: [1] },
      { category: 'adjacent', text: `What did ${n} see in ${p.trip.city}?`, evidence: [1] },
      { category: 'literal', text: `Which city was ${n}'s trip to?`, evidence: [0] },
    ],
  };
  const hobby: Episode = {
    session: at(0, 1),
    turns: [{ by: 0, text: `I've been ${p.hobby} lately, it really clears my head.` }, { by: 1, text: rng.pick(REPLIES) }],
    questions: [
      { category: 'paraphrase', text: `What does ${n} do in spare time to unwind?`, evidence: [0] },
      { category: 'literal', text: `What has ${n} been doing lately to clear the head?`, evidence: [0] },
    ],
  };
  const pref1: Episode = {
    session: at(0, 0.4),
    turns: [{ by: 0, text: `My ${p.pref.thing} has to be ${p.pref.before}, no contest.` }, { by: 1, text: rng.pick(REPLIES) }],
    questions: [],
  };
  const pref2: Episode = {
    session: at(0.6, 1),
    turns: [{ by: 0, text: `Confession: I'm so over ${p.pref.before}. ${p.pref.after} all the way now.` }, { by: 1, text: 'Ha, people change!' }],
    questions: [{ category: 'update', text: `What is ${n}'s ${p.pref.thing} now?`, evidence: [0] }],
  };
  const sib1: Episode = {
    session: at(0, 0.4),
    turns: [{ by: 0, text: `My sister ${p.sibling} just got engaged, we're all thrilled.` }, { by: 1, text: 'That is wonderful news!' }],
    questions: [],
  };
  const sib2: Episode = {
    session: at(0.5, 1),
    turns: [{ by: 0, text: `${p.sibling} packed up and moved to ${p.siblingCity} for her fiancé's job.` }, { by: 1, text: 'That is a big move.' }],
    questions: [],
  };
  sib2.questions.push({ category: 'multi-hop', text: `Which city did ${n}'s sister move to?`, evidence: [0], extra: [{ episode: sib1, turn: 0 }] });
  eps.push(job1, job2, pet, trip, hobby, pref1, pref2, sib1, sib2);
  // Dated events: the text says "today"; the question names the day, or a relative day from when it is asked.
  for (const [i, ev] of p.events.entries()) {
    const relative = i === 0;
    eps.push({
      session: -1,
      turns: [{ by: 0, text: ev.said }, { by: 1, text: rng.pick(['No way, how was it?', 'Wow! Tell me everything.', 'That is a big day.']) }],
      questions: [
        // The text of date questions is written once the event's day is known (see generateConversation).
        { category: relative ? 'relative-date' : 'date', text: '', evidence: [0], askedOffsetDays: relative ? rng.int(1, 6) : undefined },
        { category: 'literal', text: `When did ${n} ${ev.what}?`, evidence: [0] },
      ],
    });
  }
  void other;
  return eps;
}

export function generateConversations(opts: GenOptions): Conversation[] {
  const count = opts.conversations ?? 8;
  const out: Conversation[] = [];
  for (let c = 0; c < count; c++) out.push(generateConversation(opts.seed * 1000 + c, opts.sessions ?? 12, c));
  return out;
}

function generateConversation(seed: number, sessionCount: number, index: number): Conversation {
  const rng = new Rng(seed);
  const [a, b] = rng.sample(NAMES, 2);
  const people = [person(rng, a), person(rng, b)];
  // Sessions start between 9:00 and 18:00 UTC, so a session never runs past midnight into another day.
  let day = Date.UTC(2025, rng.int(0, 5), rng.int(1, 28));
  const starts: number[] = [];
  for (let s = 0; s < sessionCount; s++) {
    starts.push(day + rng.int(9, 18) * 3_600_000);
    day += rng.int(6, 18) * DAY;
  }
  const eps: Array<{ owner: 0 | 1; ep: Episode }> = [];
  for (const [i, p] of people.entries()) for (const ep of episodesFor(p, people[1 - i], sessionCount, rng)) eps.push({ owner: i as 0 | 1, ep });
  // Dated events go to sessions nothing else dated uses, so a day names one event.
  const free = rng.sample(Array.from({ length: sessionCount }, (_, i) => i), sessionCount);
  for (const e of eps) if (e.ep.session < 0) e.ep.session = free.pop() ?? rng.int(0, sessionCount - 1);

  const sessions: Session[] = [];
  for (let s = 0; s < sessionCount; s++) {
    const here = eps.filter((e) => e.ep.session === s);
    const fillers = rng.int(10, 18);
    // Interleave: fact exchanges at random points between small talk.
    const slots = new Map<number, typeof here>();
    for (const e of here) {
      const at = rng.int(1, fillers);
      slots.set(at, [...(slots.get(at) ?? []), e]);
    }
    const turns: Turn[] = [];
    const say = (speaker: string, text: string) => turns.push({ speaker, text, time: new Date(starts[s] + turns.length * TURN_MINUTES * 60_000).toISOString() });
    let speaker = rng.int(0, 1);
    for (let f = 0; f <= fillers; f++) {
      for (const e of slots.get(f) ?? []) {
        e.ep.placed = { session: s, first: turns.length };
        for (const tt of e.ep.turns) say(people[tt.by === 0 ? e.owner : 1 - e.owner].name, tt.text);
      }
      if (f === fillers) break;
      say(people[speaker].name, f % 2 === 0 ? rng.pick(SMALL_TALK) : rng.pick(REPLIES));
      speaker = 1 - speaker;
    }
    sessions.push({ start: new Date(starts[s]).toISOString(), turns });
  }

  const end = starts[sessionCount - 1] + 5 * DAY;
  const questions: Question[] = [];
  const usedDays = new Set(sessions.map((s) => s.start.slice(0, 10)));
  for (const { owner, ep } of eps) {
    const placed = ep.placed!;
    const name = people[owner].name;
    for (const q of ep.questions) {
      const evidence: Array<[number, number]> = q.evidence.map((i) => [placed.session, placed.first + i]);
      for (const x of q.extra ?? []) evidence.push([x.episode.placed!.session, x.episode.placed!.first + x.turn]);
      let text = q.text;
      let askedAt = new Date(end).toISOString();
      if (q.category === 'date') {
        text = rng.pick([`What did ${name} do ${dayName(starts[placed.session], rng)}?`, `What happened to ${name} ${dayName(starts[placed.session], rng)}?`]);
      } else if (q.category === 'relative-date') {
        const off = q.askedOffsetDays ?? 1;
        const asked = starts[placed.session] + off * DAY + 3 * 3_600_000;
        askedAt = new Date(asked).toISOString();
        const when = off === 1 ? 'yesterday' : rng.pick([`last ${WEEKDAYS[new Date(starts[placed.session]).getUTCDay()]}`, `${off} days ago`]);
        text = `What did ${name} do ${when}?`;
      }
      questions.push({ category: q.category, text, askedAt, evidence });
    }
  }
  // Unanswerable: the words of real facts, about things never said.
  for (const p of people) {
    questions.push({ category: 'unanswerable', text: `What is the name of ${p.name}'s ${rng.pick(NEVER_PETS)}?`, askedAt: new Date(end).toISOString(), evidence: [] });
    questions.push({ category: 'unanswerable', text: rng.pick(NEVER_THINGS).replace('{p}', p.name), askedAt: new Date(end).toISOString(), evidence: [] });
    let day = end - rng.int(20, 60) * DAY;
    while (usedDays.has(new Date(day).toISOString().slice(0, 10))) day -= DAY;
    questions.push({ category: 'unanswerable', text: `What did ${p.name} do ${dayName(day, rng)}?`, askedAt: new Date(end).toISOString(), evidence: [] });
  }
  return { name: `conv${index + 1}-${a}-${b}`, people: [a, b], sessions, questions };
}
