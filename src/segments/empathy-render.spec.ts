import { describe, expect, it } from '@jest/globals';
import type { CompactHalf, EmpathySummary } from './empathy.js';
import { empathySection, gridHtml } from './empathy-render.js';

const half = (forms: number, says: { text: string; observers: number }[] = []): CompactHalf => ({
  forms,
  observers: forms ? 2 : 0,
  quadrants: { says, thinks: [], does: [{ text: 'Opens <pricing> & leaves', observers: 2 }].filter(() => says.length > 0), feels: [], sees: [], hears: [] },
});

const summary: EmpathySummary = {
  segments: 4,
  top: [
    { name: 'Mid-market', observers: 3, forms: 7, observed: half(5, [{ text: 'Asks about pricing', observers: 3 }]), told: half(2) },
    { name: 'SMB', observers: 2, forms: 2, observed: half(0), told: half(2, [{ text: 'Too expensive', observers: 2 }]) },
  ],
};

describe('empathySection', () => {
  it('is absent for rollups stored before empathy maps', () => {
    expect(empathySection(undefined)).toEqual([]);
  });

  it('says so when no segment has a map', () => {
    const parts = empathySection({ segments: 0, top: [] });
    expect(parts.map((p) => p.text).join('\n')).toContain('No segment had forms from two or more observers.');
  });

  it('renders each half with forms as a 2 x 3 grid, leaves out halves without forms, and says the same in text', () => {
    const parts = empathySection(summary);
    const html = parts.map((p) => p.html).join('');
    const text = parts.map((p) => p.text).join('\n');
    expect(html.match(/<table/g)).toHaveLength(2);
    expect(html).toContain('Mid-market: Observed (behaviour forms: 5)');
    expect(html).toContain('SMB: Told (feedback forms: 2)');
    expect(html).not.toContain('SMB: Observed');
    expect(html).toContain('Told (feedback forms: 2): nothing recurring.');
    expect(html).toContain('Opens &lt;pricing&gt; &amp; leaves');
    expect(html).not.toMatch(/class=|<style|<img|<svg/);
    expect(text).toContain('Says: Asks about pricing (3 observers)');
    expect(text).toContain('Does: Opens <pricing> & leaves (2 observers)');
    expect(text).toContain('Hears: –');
    expect(text).toContain('… and 2 more segments on the empathy page.');
  });

  it('lays the grid out as three rows of two cells: says | does, thinks | feels, sees | hears', () => {
    const grid = gridHtml('c', half(1, [{ text: 'x', observers: 2 }]));
    expect(grid.match(/<tr>/g)).toHaveLength(3);
    expect(grid.match(/<td width="50%" valign="top"/g)).toHaveLength(6);
    const labels = [...grid.matchAll(/font-weight:600;margin:0 0 4px 0">(\w+)</g)].map((m) => m[1]);
    expect(labels).toEqual(['Says', 'Does', 'Thinks', 'Feels', 'Sees', 'Hears']);
  });
});
