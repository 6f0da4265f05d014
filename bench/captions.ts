/** Deterministic captions, 40-200 characters, Latin and Cyrillic words mixed. */

const LATIN = ['cat', 'on', 'the', 'windowsill', 'morning', 'light', 'astronaut', 'floating', 'above', 'Earth',
  'quiet', 'street', 'coffee', 'with', 'friends', 'autumn', 'river', 'bridge', 'summer', 'holiday', 'photo', 'of',
  'my', 'garden', 'in', 'Lisbon', 'sunset', 'over', 'mountains', 'and', 'a', 'small', 'boat'];
const CYRILLIC = ['кот', 'на', 'подоконнике', 'утренний', 'свет', 'космонавт', 'над', 'Землёй', 'тихая', 'улица',
  'кофе', 'с', 'друзьями', 'осень', 'река', 'мост', 'лето', 'отпуск', 'фото', 'моего', 'сада', 'в', 'Москве',
  'закат', 'горы', 'и', 'маленькая', 'лодка', 'Съешь', 'ещё', 'этих', 'мягких', 'булок'];

/** mulberry32: a tiny seeded PRNG, so every run posts the same captions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const codePoints = (s: string) => [...s].length;

/** `count` captions with lengths spread evenly over [minLength, maxLength] code points. */
export function makeCaptions(count: number, seed = 42, minLength = 40, maxLength = 200): string[] {
  const random = seededRandom(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const captions: string[] = [];
  for (let i = 0; i < count; i++) {
    const target = minLength + Math.floor(random() * (maxLength - minLength + 1));
    const cyrillicShare = random();
    let text = `#${i + 1}`;
    while (codePoints(text) < target) text += ` ${pick(random() < cyrillicShare ? CYRILLIC : LATIN)}`;
    // Trim to the target; never end on a space (the API refuses nothing for it, but keep it tidy).
    captions.push([...text].slice(0, target).join('').replace(/ $/, '.'));
  }
  return captions;
}
