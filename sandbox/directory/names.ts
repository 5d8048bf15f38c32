/** Word lists for generated people and teams. Plain ASCII so addresses are valid without escaping. */

export const FIRST_NAMES = (
  "Aaliyah Aaron Abigail Adam Adele Adrian Aisha Alan Alex Alice Amara Amir Ana Andre Andrea Anna Arjun Asha " +
  "Ben Bianca Boris Brenda Bruno Caleb Camila Carlos Chen Chloe Chris Clara Daniel Dara David Diego Dmitri Elena " +
  "Eli Emma Eric Esther Ethan Fatima Felix Fiona Gabriel Grace Hana Hassan Helen Henry Hugo Ines Isaac Ivan Jack " +
  "Jamal Jana Javier Jin Joao Jonas Julia Kai Karim Kate Kenji Lara Leo Lena Liam Lina Lucas Luis Maya Mei Mia " +
  "Miguel Mina Mohammed Nadia Nathan Nia Noah Nora Olga Omar Oscar Pablo Priya Rafael Rania Ravi Rosa Ruth Sami " +
  "Sara Sofia Sven Tara Theo Tomas Uma Victor Wei Yara Yusuf Zara Zoe"
).split(" ");

export const LAST_NAMES = (
  "Abbott Adams Ahmed Alvarez Andersen Anders Baker Banerjee Becker Berg Bianchi Brooks Brown Campbell Castro Chen " +
  "Clarke Cohen Costa Cruz Das Davies Diaz Dubois Edwards Evans Fischer Fernandes Garcia Gomez Gonzalez Gray Green " +
  "Gupta Hall Hansen Harris Hoffmann Hughes Ito Jackson Jensen Johnson Jones Kaur Kelly Khan Kim Klein Kowalski " +
  "Larsen Lee Lewis Lopez Martin Martinez Meyer Miller Moreau Morris Muller Murphy Nakamura Nguyen Nielsen Novak " +
  "Okafor Olsen Park Patel Perez Petrov Quinn Reyes Richter Rossi Russo Sanchez Santos Schmidt Schneider Silva " +
  "Singh Smith Sousa Suzuki Tanaka Taylor Thomas Torres Wagner Walker Wang Weber Williams Wilson Wong Yamamoto Young Zhang"
).split(" ");

export const DEPARTMENTS = (
  "Sales Marketing Engineering Support Finance Operations Legal Research Design Logistics Procurement Facilities " +
  "Security Analytics Training Quality Partnerships Communications Compliance Strategy"
).split(" ");

export const JOB_TITLES = (
  "Analyst|Associate|Coordinator|Engineer|Senior Engineer|Specialist|Manager|Senior Manager|Consultant|Technician|" +
  "Representative|Administrator|Designer|Lead|Director"
).split("|");

export const OFFICES = "Seattle|Boston|London|Berlin|Singapore|Sao Paulo|Toronto|Sydney|Nairobi|Remote".split("|");

/** Partner domains for guests and org contacts. Reserved .example names: nothing here can receive mail. */
export const EXTERNAL_DOMAINS = (
  "fabrikam.example contoso.example adatum.example litware.example tailspin.example wingtip.example " +
  "proseware.example lucerne.example"
).split(" ");
