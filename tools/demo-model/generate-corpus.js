#!/usr/bin/env node
'use strict';
/*
 * Synthetic, labelled English sentiment corpus for the demo model.
 *
 * Deterministic: a seeded PRNG (mulberry32) drives every choice, so the same
 * seed always yields byte-identical output files.
 *
 * Every generator is asked for a target label first (classes stay balanced)
 * and composes a review whose OVERALL judgement has that label:
 *   - plain judgements          "The acting was truly superb."
 *   - negation                  "not bad at all" (POS), "not good" (NEG),
 *                               "never disappointing" (POS), "I didn't enjoy it" (NEG)
 *   - intensifiers              absolutely / really / extremely / ...
 *   - contrast                  "great cast, but the plot was awful" -> the clause
 *                               after "but"/"however"/"although ..., X" decides
 *   - whole-review verdicts     "What a waste of time.", "Worth every penny!"
 *   - two-sentence reviews      context + verdict, verdict + verdict, turn-arounds
 * over four domains: films, food/restaurants, products, services.
 *
 * Output (tools/demo-model/work/, git-ignored):
 *   train.tsv / test.tsv     "text<TAB>label" with a header, label POSITIVE|NEGATIVE
 *   train.jsonl / test.jsonl {"text":..., "label":..., "domain":..., "kind":...}
 * Held-out sentences never duplicate a training sentence (compared after
 * lower-casing and stripping punctuation/whitespace differences).
 *
 * Usage: node generate-corpus.js [--train 40000] [--test 4000] [--seed 20240611] [--out DIR]
 */
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const opts = { train: 40000, test: 4000, seed: 20240611, out: path.join(__dirname, 'work') };
  for (let i = 2; i < argv.length; i += 1) {
    const key = argv[i].replace(/^--/, '');
    const val = argv[i + 1];
    if (!(key in opts) || val === undefined) throw new Error(`unknown/incomplete option ${argv[i]}`);
    opts[key] = key === 'out' ? val : Number(val);
    i += 1;
  }
  return opts;
}

// ---------------------------------------------------------------- PRNG ----
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rnd = mulberry32(1);
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const chance = (p) => rnd() < p;
const flip = (label) => (label === 'POS' ? 'NEG' : 'POS');
const byLabel = (label, pos, neg) => (label === 'POS' ? pos : neg);

// ------------------------------------------------------------- lexicon ----
// Adjectives: "g" = gradable (takes very/really/...), "x" = extreme (absolutely/truly/simply/...)
const GEN_POS = {
  g: ['good', 'great', 'enjoyable', 'impressive', 'pleasant', 'nice', 'solid', 'lovely', 'charming',
    'satisfying', 'fun', 'refreshing', 'memorable', 'decent', 'likeable', 'polished', 'strong', 'appealing',
    'rewarding', 'pleasing', 'smart', 'sweet', 'warm', 'graceful', 'elegant', 'inventive', 'original', 'fresh',
    'vibrant', 'lively', 'uplifting', 'charismatic', 'sharp', 'affecting', 'assured', 'heartfelt', 'welcome'],
  x: ['excellent', 'superb', 'wonderful', 'fantastic', 'amazing', 'brilliant', 'outstanding', 'terrific',
    'fabulous', 'incredible', 'perfect', 'delightful', 'awesome', 'stellar', 'top-notch', 'exceptional',
    'marvelous', 'phenomenal', 'flawless', 'magnificent', 'spectacular', 'first-rate', 'glorious', 'masterful',
    'remarkable', 'sublime', 'dazzling', 'exquisite', 'splendid', 'astonishing', 'extraordinary', 'wondrous',
    'triumphant', 'irresistible', 'unbeatable'],
};
const GEN_NEG = {
  g: ['bad', 'poor', 'disappointing', 'weak', 'boring', 'dull', 'annoying', 'frustrating', 'sloppy',
    'forgettable', 'mediocre', 'lazy', 'underwhelming', 'lackluster', 'unpleasant', 'bland', 'clumsy',
    'tiresome', 'uninspired', 'stale', 'sluggish', 'tedious', 'dreary', 'joyless', 'muddled', 'awkward', 'silly',
    'shoddy', 'irritating', 'sloppy', 'hollow', 'cheap', 'generic', 'derivative', 'unconvincing', 'pretentious'],
  x: ['awful', 'terrible', 'horrible', 'dreadful', 'atrocious', 'abysmal', 'pathetic', 'appalling',
    'lousy', 'miserable', 'disastrous', 'useless', 'unbearable', 'laughable', 'horrendous', 'pitiful',
    'second-rate', 'hopeless', 'woeful', 'dismal', 'wretched', 'ghastly', 'insufferable', 'excruciating',
    'incompetent', 'idiotic', 'worthless', 'shameful', 'intolerable', 'inexcusable', 'deplorable'],
};
const INTENS_G = ['really', 'very', 'extremely', 'incredibly', 'so', 'quite', 'truly', 'remarkably',
  'genuinely', 'pretty', 'seriously', 'exceptionally', 'surprisingly', 'super', 'thoroughly'];
const INTENS_X = ['absolutely', 'truly', 'simply', 'just', 'utterly', 'completely', 'totally', 'really',
  'downright', 'honestly'];

// Negated forms. NEG_OF_NEG flips a negative word to a (mild) positive judgement, and vice versa.
const NEGATE_NEG = [ // applied to a negative adjective -> POSITIVE
  (a) => `not ${a} at all`, (a) => `never ${a}`, (a) => `far from ${a}`, (a) => `anything but ${a}`,
  (a) => `not the least bit ${a}`, (a) => `not ${a} in the slightest`, (a) => `not remotely ${a}`,
];
const NEGATE_POS = [ // applied to a positive adjective -> NEGATIVE
  (a) => `not ${a}`, (a) => `not very ${a}`, (a) => `not ${a} at all`, (a) => `never ${a}`,
  (a) => `far from ${a}`, (a) => `hardly ${a}`, (a) => `not particularly ${a}`, (a) => `nowhere near ${a}`,
  (a) => `not exactly ${a}`, (a) => `not really ${a}`, (a) => `not that ${a}`, (a) => `anything but ${a}`,
];
// Fixed negated idioms
const IDIOM_NEG_OF_NEG = ['not bad', 'not bad at all', 'never disappointing', 'not disappointing at all',
  'never boring', 'not boring for a second', 'far from disappointing', 'not too shabby', 'no disappointment'];
const IDIOM_NEG_OF_POS = ['not good', 'not great', 'not very good', 'not good at all', 'not worth it',
  'nothing special', 'not up to par', 'no good', 'never good', 'not great at all', 'not even close to good'];

const DOMAINS = {
  film: {
    objs: ['movie', 'film', 'picture', 'flick', 'sequel', 'documentary', 'comedy', 'thriller', 'drama',
      'horror movie', 'show', 'series', 'episode', 'animated film', 'musical', 'remake', 'romantic comedy',
      'action movie', 'biopic', 'war film', 'mystery'],
    aspects: ['the acting', 'the plot', 'the story', 'the script', 'the dialogue', 'the soundtrack', 'the music',
      'the cast', 'the ending', 'the cinematography', 'the pacing', 'the characters|p', 'the special effects|p',
      'the direction', 'the performances|p', 'the lead actor', 'the lead actress', 'the villain', 'the humor',
      'the screenplay', 'the visuals|p', 'the writing', 'the final act', 'the twist', 'the editing',
      'the jokes|p', 'the action scenes|p', 'the storyline', 'the costumes|p', 'the score', 'the premise',
      'the first half', 'the second half', 'the opening scene', 'the climax', 'the animation',
      'the supporting cast', 'the chemistry between the leads'],
    posAdj: ['gripping', 'moving', 'hilarious', 'beautifully shot', 'captivating', 'thrilling', 'touching',
      'clever', 'funny', 'powerful', 'heartwarming', 'riveting', 'witty', 'stunning', 'breathtaking',
      'engaging', 'inspiring', 'entertaining', 'suspenseful', 'well acted', 'beautifully written',
      'thought-provoking', 'unforgettable', 'mesmerizing'],
    negAdj: ['predictable', 'confusing', 'tedious', 'cringeworthy', 'unwatchable', 'cliched', 'slow',
      'pointless', 'shallow', 'overlong', 'incoherent', 'forced', 'wooden', 'lifeless', 'painful to watch',
      'badly acted', 'poorly written', 'unfunny', 'stupid', 'ridiculous', 'messy', 'flat', 'tiresome',
      'a mess'],
    posPred: ['kept me on the edge of my seat', 'made me laugh out loud', 'had me in tears',
      'blew me away', 'was worth the ticket price', 'deserves every award it gets', 'held my attention throughout',
      'made perfect sense in the end', 'stayed with me for days', 'had the whole audience cheering',
      'never lost my interest', 'made every minute count', 'gave me chills', 'exceeded my expectations',
      'won me over completely', 'was pure joy to watch'],
    negPred: ['made no sense', 'made no sense at all', 'dragged on forever', 'fell completely flat',
      'put me to sleep', 'was painfully predictable', 'went nowhere', 'made little sense',
      'lost me after twenty minutes', 'never came together', 'felt like a chore', 'was a waste of talent',
      'had me checking my watch', 'ruined the whole thing', 'insulted my intelligence',
      'made me want to walk out', 'fell apart in the third act', 'never went anywhere', 'added nothing'],
    experience: ['watch', 'film', 'movie', 'experience', 'ride', 'evening at the cinema', 'story'],
    verbHad: ['seen', 'watched', 'sat through'],
    context: ['I watched it last night', 'We saw it at the cinema on Saturday', 'I streamed it over the weekend',
      'My friends dragged me along to see it', 'I went in with low expectations', 'I had high hopes for this one',
      'I saw the premiere yesterday', 'We rented it for movie night', 'I finally got around to watching it',
      'My kids wanted to see it', 'I caught the late showing', 'I watched it on a long flight',
      'The trailer looked promising', 'Everyone at work was talking about it', 'I read the book first',
      'It is almost three hours long', 'I watched it twice'],
    waste: ['time', 'two hours', 'an evening', 'money', 'a perfectly good Friday night', 'a ticket'],
    verbs: ['watching', 'seeing'],
  },
  food: {
    objs: ['restaurant', 'place', 'meal', 'dinner', 'lunch', 'pizza', 'burger', 'cafe', 'bistro', 'bakery',
      'dish', 'brunch', 'steakhouse', 'sushi bar', 'food truck', 'diner', 'pizzeria', 'tasting menu',
      'takeaway', 'breakfast', 'buffet', 'curry', 'noodle shop'],
    aspects: ['the food', 'the pasta', 'the steak', 'the soup', 'the dessert', 'the coffee', 'the pizza',
      'the sushi', 'the bread', 'the wine list', 'the portions|p', 'the atmosphere', 'the service', 'the staff',
      'the waiter', 'the waitress', 'the prices|p', 'the menu', 'the salad', 'the fries|p', 'the decor',
      'the chicken', 'the burger', 'the cake', 'the seafood', 'the curry', 'the noodles|p', 'the cocktails|p',
      'the starters|p', 'the main course', 'the sauce', 'the vegetables|p', 'the tacos|p', 'the ramen',
      'the chef', 'the ambience', 'the music', 'the terrace'],
    posAdj: ['delicious', 'tasty', 'fresh', 'flavorful', 'cozy', 'mouthwatering', 'perfectly cooked',
      'generous', 'juicy', 'crispy', 'tender', 'authentic', 'friendly', 'attentive', 'reasonable',
      'beautifully presented', 'rich', 'creamy', 'inviting', 'spot on', 'divine', 'scrumptious'],
    negAdj: ['bland', 'cold', 'greasy', 'overcooked', 'stale', 'soggy', 'overpriced', 'tasteless', 'burnt',
      'far too salty', 'undercooked', 'rubbery', 'dry', 'inedible', 'rude', 'slow', 'dirty', 'watery',
      'lukewarm', 'disgusting', 'chewy', 'cramped', 'noisy'],
    posPred: ['melted in my mouth', 'was cooked to perfection', 'was worth every penny', 'made my day',
      'exceeded my expectations', 'was bursting with flavor', 'came out quickly and piping hot',
      'tasted like home cooking', 'kept us coming back for more', 'made us feel right at home',
      'was the best I have had in years', 'left us completely satisfied'],
    negPred: ['made me sick', 'tasted like cardboard', 'took an hour to arrive', 'was a waste of money',
      'was swimming in grease', 'left a bad taste in my mouth', 'arrived cold', 'gave me food poisoning',
      'tasted like it came from a can', 'was sent back twice', 'ruined our anniversary',
      'made no sense for the price', 'left us hungry and annoyed', 'had a hair in it'],
    experience: ['meal', 'dinner', 'lunch', 'experience', 'evening', 'night out', 'brunch', 'dining experience'],
    verbHad: ['eaten', 'had', 'tasted'],
    context: ['We went there for my birthday', 'I ordered takeout on Friday', 'We stopped by for lunch',
      'I came here with my parents', 'We had a reservation for eight', 'A friend recommended this place',
      'We were a group of six', 'It was our first visit', 'I have been here a few times now',
      'We ordered the set menu', 'It was packed on a Saturday night', 'We sat outside on the terrace',
      'I got the chef\'s special', 'We celebrated our anniversary there', 'The place just opened last month'],
    waste: ['money', 'an evening', 'calories', 'a night out', 'forty dollars', 'time'],
    verbs: ['eating here', 'dining here', 'ordering from them'],
  },
  product: {
    objs: ['phone', 'laptop', 'blender', 'vacuum', 'pair of headphones', 'camera', 'charger', 'backpack',
      'jacket', 'product', 'purchase', 'printer', 'kettle', 'mattress', 'watch', 'speaker', 'keyboard',
      'tablet', 'coffee maker', 'monitor', 'toaster', 'pair of shoes', 'suitcase', 'drill', 'mouse', 'router',
      'air fryer', 'lamp', 'desk chair', 'e-reader'],
    aspects: ['the battery', 'the battery life', 'the sound quality', 'the screen', 'the build quality',
      'the design', 'the price', 'the packaging', 'the instructions|p', 'the material', 'the fit',
      'the performance', 'the camera', 'the setup', 'the software', 'the quality', 'the zipper', 'the buttons|p',
      'the display', 'the speakers|p', 'the motor', 'the cable', 'the app', 'the finish', 'the stitching',
      'the charging speed', 'the noise cancelling', 'the keys|p', 'the wheels|p', 'the lid', 'the handle',
      'the warranty'],
    posAdj: ['sturdy', 'reliable', 'durable', 'sleek', 'fast', 'comfortable', 'intuitive', 'well made',
      'easy to use', 'lightweight', 'crisp', 'powerful', 'quiet', 'responsive', 'handy', 'elegant',
      'great value', 'well designed', 'solidly built', 'a bargain'],
    negAdj: ['flimsy', 'cheap', 'faulty', 'broken', 'defective', 'unreliable', 'slow', 'uncomfortable',
      'fragile', 'noisy', 'poorly made', 'overpriced', 'clunky', 'buggy', 'confusing', 'scratched',
      'cheaply made', 'dead on arrival', 'a rip-off', 'junk'],
    posPred: ['works like a charm', 'works perfectly', 'exceeded my expectations', 'was worth every penny',
      'does exactly what it says', 'lasts all day', 'arrived early and well packed', 'has made my life easier',
      'still works like new after a year', 'paid for itself', 'beats every other one I have owned',
      'set up in minutes'],
    negPred: ['broke after a week', 'stopped working after two days', 'died within a month',
      'fell apart immediately', 'was a waste of money', 'never worked properly', 'overheats constantly',
      'arrived damaged', 'keeps disconnecting', 'drains in a few hours', 'made no sense to set up',
      'leaks everywhere', 'crashes every time I open it', 'does not do what it claims', 'smells like burnt plastic'],
    experience: ['purchase', 'buy', 'product', 'investment', 'gadget', 'deal'],
    verbHad: ['bought', 'owned', 'used'],
    context: ['I bought this for my daughter', 'I ordered it online last month', 'It arrived on Tuesday',
      'I have been using it for three weeks', 'This was a gift for my husband', 'I replaced my old one with this',
      'I read a lot of reviews before buying', 'It was on sale', 'I use it every day for work',
      'I got it for my birthday', 'My brother recommended it', 'I returned my first one and tried again',
      'It cost almost two hundred dollars'],
    waste: ['money', 'fifty dollars', 'time', 'shelf space', 'a paycheck', 'plastic'],
    verbs: ['buying it', 'using it', 'owning it'],
  },
  service: {
    objs: ['company', 'hotel', 'airline', 'bank', 'shop', 'store', 'service', 'support team', 'agency', 'gym',
      'salon', 'clinic', 'delivery service', 'taxi company', 'internet provider', 'plumber', 'garage',
      'moving company', 'insurance company', 'hostel', 'dentist', 'car rental'],
    aspects: ['the customer service', 'the staff', 'the support', 'the manager', 'the receptionist', 'the room',
      'the check-in', 'the delivery', 'the agent', 'the response time', 'the booking process', 'the website',
      'the app', 'the cleaning', 'the communication', 'the driver', 'the technician', 'the breakfast',
      'the front desk', 'the refund process', 'the wait', 'the bed', 'the pool', 'the location',
      'the mechanic', 'the billing', 'the whole process', 'the follow-up'],
    posAdj: ['friendly', 'helpful', 'professional', 'attentive', 'polite', 'efficient', 'quick', 'courteous',
      'welcoming', 'prompt', 'spotless', 'knowledgeable', 'patient', 'smooth', 'hassle-free', 'reliable',
      'accommodating', 'responsive', 'clean', 'convenient', 'seamless'],
    negAdj: ['rude', 'unhelpful', 'unprofessional', 'slow', 'careless', 'dismissive', 'incompetent', 'dirty',
      'chaotic', 'unreliable', 'late', 'disorganized', 'filthy', 'condescending', 'a nightmare', 'shady',
      'clueless', 'impossible to reach', 'overpriced', 'confusing'],
    posPred: ['went above and beyond', 'solved my problem in minutes', 'made me feel welcome',
      'was worth every penny', 'answered all my questions', 'fixed everything on the first visit',
      'arrived right on time', 'sorted out my refund the same day', 'made the whole thing easy',
      'treated us like family', 'called back within the hour', 'took care of everything'],
    negPred: ['never called me back', 'ignored my emails', 'lost my booking', 'kept me on hold for an hour',
      'was a waste of money', 'treated us like dirt', 'made no effort at all', 'charged me twice',
      'cancelled at the last minute', 'hung up on me', 'showed up three hours late',
      'made no sense at all', 'refused to give me a refund', 'lied to my face', 'double booked our room'],
    experience: ['experience', 'service', 'stay', 'visit', 'company to deal with', 'outfit'],
    verbHad: ['dealt with', 'experienced', 'used'],
    context: ['I called them on Monday', 'We stayed there for three nights', 'I contacted support about a refund',
      'I booked through their website', 'We used them for our move', 'I have been a customer for years',
      'My flight was delayed', 'I needed an urgent repair', 'We arrived late in the evening',
      'I went in for a routine appointment', 'I switched to them last year', 'It was my first time using them',
      'I had a problem with my order'],
    waste: ['money', 'time', 'a whole afternoon', 'my weekend', 'a day off'],
    verbs: ['dealing with them', 'using them', 'booking with them'],
  },
};
const DOMAIN_NAMES = Object.keys(DOMAINS);

const POS_VERB = ['loved', 'adored', 'enjoyed', 'liked', 'really liked', 'was impressed by', 'fell in love with',
  'was blown away by', 'had a great time with', 'was delighted with', 'was thrilled with', 'am happy with',
  'was pleasantly surprised by', 'can\'t stop recommending'];
const NEG_VERB = ['hated', 'disliked', 'regretted', 'was disappointed by', 'couldn\'t stand', 'was let down by',
  'was annoyed by', 'was bored by', 'was unhappy with', 'am furious about', 'was fed up with', 'detested',
  'was frustrated by'];
const POS_VERB_INT = ['absolutely', 'really', 'truly', 'honestly', 'genuinely', 'just', 'totally'];
const NEG_VERB_INT = ['absolutely', 'really', 'truly', 'honestly', 'completely', 'just', 'totally'];
const NOT_VERB = ['didn\'t like', 'did not enjoy', 'didn\'t enjoy', 'did not like', 'can\'t say I enjoyed',
  'really didn\'t like', 'did not care for', 'wasn\'t impressed by', 'was not happy with', 'can\'t recommend',
  'would never recommend', 'won\'t be recommending'];
const NOT_NEG_VERB = ['couldn\'t fault', 'can\'t find anything wrong with', 'have nothing bad to say about',
  'have zero complaints about', 'never once regretted', 'didn\'t regret', 'can\'t complain about',
  'was never disappointed by'];

const VERDICT = {
  POS: (d) => [
    'Highly recommended', 'I would definitely recommend it', 'I would recommend it to anyone',
    'Worth every penny', 'Two thumbs up', 'Five stars', '10/10', 'Best ' + pick(d.objs) + ' ever',
    'Loved every minute of it', 'No complaints at all', 'I can\'t complain', 'I have nothing bad to say',
    'Money well spent', 'Time well spent', 'I will definitely be back', 'Can\'t wait to go back',
    'A real gem', 'Would do it again in a heartbeat', 'Exactly what I was hoping for',
    'Could not be happier', 'What a pleasant surprise', 'What a treat', 'An absolute joy',
    'I was not disappointed', 'It did not disappoint', 'Simply the best', 'Totally worth it',
    'A must', 'Definitely worth a try', 'Hats off to them', 'It made my week', 'Happy customer here',
    'Great value for money', 'I am so glad I chose this one', 'Five out of five', 'Nothing short of perfect',
    'I keep telling everyone about it', 'You won\'t regret it', 'It is worth the hype',
  ],
  NEG: (d) => [
    'What a waste of ' + pick(d.waste), 'What a waste', 'Avoid at all costs', 'Never again',
    'I want my money back', 'Would not recommend', 'Do not bother', 'Save your money', 'One star',
    'Zero stars if I could', 'Total rip-off', 'Complete waste of ' + pick(d.waste), 'I will never come back',
    'Stay away', 'Don\'t waste your ' + pick(['time', 'money']), 'Worst ' + pick(d.objs) + ' ever',
    'What a letdown', 'What a disappointment', 'Huge disappointment', 'Not worth it', 'Not worth the money',
    'Not worth the hype', 'I regret ' + pick(d.verbs), 'Thoroughly disappointing', 'A total disaster',
    'I expected so much more', 'Give this one a miss', 'Pass', 'Not recommended', 'Utterly forgettable',
    'Such a shame', 'Never ever again', 'Not for me', 'Lesson learned', 'Two out of ten',
    'I can\'t believe I paid for this', 'Learn from my mistake', 'It was a complete joke',
  ],
};

// --------------------------------------------------------- generators ----
function aspectOf(d) {
  const [text, num] = pick(d.aspects).split('|');
  return { text, plural: num === 'p' };
}
function be(plural, tense) {
  if (tense === 'past') return plural ? 'were' : 'was';
  return plural ? 'are' : 'is';
}
const article = (w) => (/^[aeiou]/i.test(w) && !/^(one|uni|use)/i.test(w) ? 'an' : 'a');

/* A predicative phrase (after "was/is") with the given polarity. */
function predicate(label, d, allowExperience = false) {
  const r = allowExperience ? rnd() : rnd() * 0.9;
  const gen = byLabel(label, GEN_POS, GEN_NEG);
  const dom = byLabel(label, d.posAdj, d.negAdj);
  if (r < 0.34) { // generic adjective, maybe intensified
    if (chance(0.5)) {
      const a = pick(gen.x);
      return chance(0.5) ? `${pick(INTENS_X)} ${a}` : a;
    }
    const a = pick(gen.g);
    return chance(0.55) ? `${pick(INTENS_G)} ${a}` : a;
  }
  if (r < 0.62) { // domain adjective, maybe intensified
    const a = pick(dom);
    if (/^an? /.test(a) || a.includes(' ')) return a;
    return chance(0.45) ? `${pick(INTENS_G)} ${a}` : a;
  }
  if (r < 0.90) { // negation of the opposite polarity
    const opp = flip(label);
    if (chance(0.3)) return pick(byLabel(label, IDIOM_NEG_OF_NEG, IDIOM_NEG_OF_POS));
    const oppGen = byLabel(opp, GEN_POS, GEN_NEG);
    const oppDom = byLabel(opp, d.posAdj, d.negAdj).filter((a) => !/^an? /.test(a));
    const a = chance(0.5) ? pick(chance(0.5) ? oppGen.g : oppGen.x) : pick(oppDom);
    return pick(byLabel(label, NEGATE_NEG, NEGATE_POS))(a);
  }
  // "a <adj> <experience>"
  const a = pick(chance(0.5) ? gen.g : gen.x);
  const e = pick(d.experience);
  if (chance(0.3)) {
    const i = pick(INTENS_G.filter((w) => w !== 'so'));
    return `${article(i)} ${i} ${a} ${e}`;
  }
  return `${article(a)} ${a} ${e}`;
}

/* A full clause "<subject> <verb phrase>" with the given polarity (no final punctuation). */
function clause(label, d, opts = {}) {
  const tense = opts.tense || (chance(0.7) ? 'past' : 'present');
  const r = rnd();
  if (r < 0.40) { // aspect + be + predicate
    const asp = aspectOf(d);
    return `${asp.text} ${be(asp.plural, tense)} ${predicate(label, d)}`;
  }
  if (r < 0.55) { // subject + verb phrase (mostly the reviewed thing itself)
    let vp = pick(byLabel(label, d.posPred, d.negPred));
    if (chance(0.35)) {
      const asp = aspectOf(d);
      if (asp.plural) vp = vp.replace(/^was /, 'were ');
      return `${asp.text} ${vp}`;
    }
    return chance(0.2) ? `it ${vp}` : `${pick(['this', 'the', 'my', 'that'])} ${pick(d.objs)} ${vp}`;
  }
  if (r < 0.72) { // this/the object + be + predicate
    const det = pick(['this', 'the', 'this', 'that']);
    return `${det} ${pick(d.objs)} ${be(false, tense)} ${predicate(label, d, true)}`;
  }
  if (r < 0.90) { // I + (intens) verb + object
    const det = pick(['this', 'the', 'this', 'that']);
    const obj = chance(0.75) ? `${det} ${pick(d.objs)}` : (chance(0.5) ? 'it' : aspectOf(d).text);
    if (chance(0.3)) {
      return `I ${pick(byLabel(label, NOT_NEG_VERB, NOT_VERB))} ${obj}`;
    }
    const verb = pick(byLabel(label, POS_VERB, NEG_VERB));
    const int = chance(0.45) && !/ /.test(verb) ? `${pick(byLabel(label, POS_VERB_INT, NEG_VERB_INT))} ` : '';
    return `I ${int}${verb} ${obj}`;
  }
  // it/this + be + predicate
  return `${pick(['it', 'this', 'everything', 'the whole thing', 'the experience'])} ${be(false, tense)} ${predicate(label, d, true)}`;
}

function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
function endPunct() {
  const r = rnd();
  if (r < 0.62) return '.';
  if (r < 0.82) return '!';
  if (r < 0.88) return '!!';
  if (r < 0.93) return '...';
  return '!!!';
}
function sentence(s) { return cap(s) + endPunct(); }

/* One review of a given kind, returns the text. */
const KINDS = {
  simple(label, d) { return sentence(clause(label, d)); },

  exclamation(label, d) {
    const gen = byLabel(label, GEN_POS, GEN_NEG);
    const a = chance(0.5) ? pick(chance(0.5) ? gen.x : gen.g) : pick(byLabel(label, d.posAdj, d.negAdj).filter((x) => !/^an? /.test(x)));
    const obj = chance(0.7) ? pick(d.objs) : pick(d.experience);
    const form = rnd();
    if (form < 0.4) return `${pick(['What', 'Such'])} ${article(a)} ${a} ${obj}${pick(['!', '.', '!!'])}`;
    if (form < 0.7) {
      const sup = byLabel(label, ['best', 'finest', 'greatest', 'most enjoyable'], ['worst', 'most disappointing', 'most boring', 'most pathetic']);
      return `${pick(['This is', 'That was', 'Easily', 'Hands down', 'Honestly,'])} the ${pick(sup)} ${obj} I have ever ${pick(d.verbHad)}${pick(['.', '!', '!!'])}`;
    }
    return `${cap(a)} ${obj}${pick(['.', '!', ', ' + pick(VERDICT[label](d)).toLowerCase() + '.'])}`;
  },

  verdict(label, d) { return pick(VERDICT[label](d)) + endPunct(); },

  contrast(label, d) {
    // first clause usually the opposite polarity, the second (deciding) clause has the label
    const first = chance(0.8) ? flip(label) : label;
    const c1 = clause(first, d);
    const c2 = clause(label, d);
    const r = rnd();
    if (r < 0.35) return sentence(`${c1}${pick([', but', ' but', ', but honestly', ', but in the end', ', but overall'])} ${c2}`);
    if (r < 0.55) return `${sentence(c1).replace(/[.!]+$|\.\.\.$/, '.')} ${pick(['But', 'However,', 'That said,', 'Still,', 'Even so,', 'But overall', 'In the end though,', 'Overall,'])} ${c2}${endPunct()}`;
    if (r < 0.80) return sentence(`${pick(['although', 'though', 'while', 'even though', 'despite the fact that', 'granted,'])} ${c1}, ${c2}`);
    // short aspect contrast "great cast, awful plot, ..." -> overall clause decides
    const a1 = aspectOf(d).text.replace(/^the /, '');
    const a2 = aspectOf(d).text.replace(/^the /, '');
    const adj = (l) => pick(chance(0.5) ? byLabel(l, GEN_POS, GEN_NEG).g : byLabel(l, d.posAdj, d.negAdj).filter((x) => !/ /.test(x)));
    return sentence(`${adj(first)} ${a1}, ${adj(flip(first))} ${a2}${pick([', but', '. But', ' - but', ', but overall', '. Overall,'])} ${clause(label, d)}`);
  },

  agreement(label, d) {
    const c1 = clause(label, d);
    const c2 = clause(label, d);
    const r = rnd();
    if (r < 0.45) return sentence(`${c1}${pick([' and', ', and', ', and honestly', ' and also', ', plus'])} ${c2}`);
    if (r < 0.7) {
      const asp1 = aspectOf(d);
      const asp2 = aspectOf(d);
      return sentence(`not only ${be(asp1.plural, 'past')} ${asp1.text} ${predicate(label, d)}, but ${asp2.text} ${be(asp2.plural, 'past')} ${predicate(label, d)} too`);
    }
    const adjs = (l) => pick(chance(0.5) ? byLabel(l, GEN_POS, GEN_NEG).g.concat(byLabel(l, GEN_POS, GEN_NEG).x) : byLabel(l, d.posAdj, d.negAdj).filter((x) => !/ /.test(x)));
    return sentence(`${adjs(label)} ${aspectOf(d).text.replace(/^the /, '')}, ${adjs(label)} ${aspectOf(d).text.replace(/^the /, '')}${pick(['', ', ' + adjs(label) + ' ' + aspectOf(d).text.replace(/^the /, '')])}`);
  },

  twoSentences(label, d) {
    const r = rnd();
    if (r < 0.3) return `${sentence(pick(d.context))} ${sentence(clause(label, d))}`;
    if (r < 0.55) return `${sentence(clause(label, d))} ${sentence(clause(label, d))}`;
    if (r < 0.75) {
      const first = chance(0.5) ? pick(VERDICT[label](d)) + pick(['.', '!']) : sentence(clause(label, d));
      const second = chance(0.5) ? pick(VERDICT[label](d)) + pick(['.', '!']) : sentence(clause(label, d));
      return `${first} ${second}`;
    }
    // turn-around: first sentence one way, second (with a discourse marker) decides
    const first = flip(label);
    const mark = pick(byLabel(label, ['Luckily,', 'Thankfully,', 'Fortunately,', 'But in the end', 'But honestly,', 'Still,', 'In the end,', 'Overall,'],
      ['Unfortunately,', 'Sadly,', 'Sadly though,', 'But in the end', 'But honestly,', 'Then again,', 'In the end,', 'Overall,']));
    const c1 = chance(0.5) ? clause(first, d) : pick(d.context);
    return `${sentence(c1).replace(/(!!!|!!|\.\.\.)$/, '.')} ${mark} ${clause(label, d)}${pick(['.', '!', '.'])}`;
  },

  threeSentences(label, d) {
    const parts = [sentence(pick(d.context)), sentence(clause(label, d))];
    parts.push(chance(0.5) ? pick(VERDICT[label](d)) + pick(['.', '!']) : sentence(clause(label, d)));
    return parts.join(' ');
  },
};
const KIND_WEIGHTS = [
  ['simple', 0.22], ['exclamation', 0.08], ['verdict', 0.05], ['contrast', 0.2],
  ['agreement', 0.1], ['twoSentences', 0.27], ['threeSentences', 0.08],
];
function pickKind() {
  let r = rnd();
  for (const [k, w] of KIND_WEIGHTS) { if ((r -= w) < 0) return k; }
  return KIND_WEIGHTS[0][0];
}

function tidy(text) {
  let t = text.replace(/\s+/g, ' ').replace(/\s+([,.!])/g, '$1').trim();
  t = t.replace(/,\s*,/g, ',').replace(/([^.])\.\s+\./g, '$1.').replace(/([.!?])\s+([a-z])/g, (m, p, c) => `${p} ${c.toUpperCase()}`);
  if (chance(0.04)) t = t.toLowerCase(); // some people don't capitalise
  if (chance(0.05)) t = t.replace(/[.!]+$/, ''); // ...or end with a full stop
  return t;
}
// normalised key for de-duplication across splits
const keyOf = (t) => t.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').replace(/\s+/g, ' ').trim();

// Sentences the served model is checked against; never put them in the corpus verbatim.
const PROBES = [
  'I absolutely loved this movie! The acting was superb.',
  'What a waste of time. The plot made no sense at all.',
].map(keyOf);

function generate(opts) {
  rnd = mulberry32(opts.seed);
  const total = opts.train + opts.test;
  const seen = new Set(PROBES);
  const rows = [];
  let attempts = 0;
  while (rows.length < total) {
    attempts += 1;
    if (attempts > total * 50) throw new Error('corpus space exhausted; add templates or lower counts');
    const label = rows.length % 2 === 0 ? 'POS' : 'NEG';
    const domain = pick(DOMAIN_NAMES);
    const kind = pickKind();
    const text = tidy(KINDS[kind](label, DOMAINS[domain]));
    const key = keyOf(text);
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ text, label: label === 'POS' ? 'POSITIVE' : 'NEGATIVE', domain, kind });
  }
  // Fisher-Yates shuffle, then split. Keys are unique, so test never duplicates train.
  for (let i = rows.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rnd() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return { train: rows.slice(0, opts.train), test: rows.slice(opts.train), attempts };
}

function writeSplit(dir, name, rows) {
  const tsv = ['text\tlabel'].concat(rows.map((r) => `${r.text}\t${r.label}`)).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, `${name}.tsv`), tsv);
  fs.writeFileSync(path.join(dir, `${name}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

function main() {
  const opts = parseArgs(process.argv);
  fs.mkdirSync(opts.out, { recursive: true });
  const { train, test, attempts } = generate(opts);
  for (const r of train.concat(test)) {
    if (/[\t\n]/.test(r.text)) throw new Error(`bad characters in ${JSON.stringify(r.text)}`);
  }
  const trainKeys = new Set(train.map((r) => keyOf(r.text)));
  const dup = test.filter((r) => trainKeys.has(keyOf(r.text))).length;
  if (dup !== 0) throw new Error(`${dup} held-out sentences duplicate training ones`);
  writeSplit(opts.out, 'train', train);
  writeSplit(opts.out, 'test', test);
  const count = (rows, l) => rows.filter((r) => r.label === l).length;
  console.log(`corpus: seed=${opts.seed} train=${train.length} (pos ${count(train, 'POSITIVE')}) test=${test.length} (pos ${count(test, 'POSITIVE')}) generated=${attempts} -> ${opts.out}`);
}

if (require.main === module) main();
module.exports = { generate, keyOf };
