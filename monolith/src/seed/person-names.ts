import type { SeededRandom } from './seeded-random';

// A small, varied pool instead of a faker dependency: 80 × 80 combinations plus middle initials is
// plenty for demo data. A few non-ASCII names on purpose, so utf8mb4 round trips get exercised.
const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Ava', 'Elijah', 'Sophia', 'James',
  'Isabella', 'William', 'Mia', 'Benjamin', 'Charlotte', 'Lucas', 'Harper', 'Henry', 'Evelyn', 'Theodore',
  'Aisha', 'Mohammed', 'Fatima', 'Omar', 'Layla', 'Yusuf', 'Priya', 'Arjun', 'Ananya', 'Rohan',
  'Mei', 'Wei', 'Hiroshi', 'Yuki', 'Sakura', 'Haruto', 'Ji-woo', 'Min-jun', 'Linh', 'Minh',
  'Chloé', 'Léa', 'Hugo', 'Louis', 'Zoë', 'Matteo', 'Giulia', 'Sofía', 'Mateo', 'Lucía',
  'José', 'Camila', 'Diego', 'Valentina', 'João', 'Ana', 'Björn', 'Astrid', 'Søren', 'Ingrid',
  'Jürgen', 'Anna', 'Lukas', 'Hannah', 'Mila', 'Ivan', 'Olga', 'Dmitri', 'Katarzyna', 'Piotr',
  'Chidi', 'Amara', 'Kwame', 'Abena', 'Tariq', 'Nadia', 'Sean', 'Siobhan', 'Ethan', 'Grace',
] as const;

const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Hall', 'Young', 'King',
  'Nguyen', 'Tran', 'Kim', 'Park', 'Chen', 'Wang', 'Li', 'Zhang', 'Tanaka', 'Sato',
  'Suzuki', 'Patel', 'Shah', 'Singh', 'Kumar', 'Khan', 'Ahmed', 'Hassan', 'Okafor', 'Mensah',
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Dubois', 'Lefèvre', 'Moreau', 'Rossi', 'Russo',
  'Bianchi', 'Fernández', 'Pérez', 'Gómez', 'Silva', 'Santos', 'Oliveira', 'Johansson', 'Andersen', 'Nielsen',
  'Kowalski', 'Nowak', 'Ivanov', 'Petrov', "O'Brien", 'Murphy', 'Kelly', 'Byrne', 'MacDonald', 'Van der Berg',
] as const;

const INITIALS = 'ABCDEFGHJKLMNPRSTW';

/** A plausible full name; one in ten carries a middle initial. */
export function personName(random: SeededRandom): string {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  if (random.chance(0.1)) return `${first} ${INITIALS.charAt(random.int(0, INITIALS.length - 1))}. ${last}`;
  return `${first} ${last}`;
}
