import { describe, expect, it } from 'vitest';
import { esc, fmt, table } from './html.ts';

describe('esc', () => {
  it('escapes the five HTML-special characters and nothing else', () => {
    expect(esc(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    expect(esc('wear/male/<30 ü')).toBe('wear/male/&lt;30 ü');
    expect(esc(12)).toBe('12');
  });
});

describe('table', () => {
  it('puts head cells in th and rows in td', () => {
    expect(table(['a', 'b'], [['1', '2']], { className: 'num' })).toBe('<table class="num"><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>');
  });
});

describe('fmt', () => {
  it('formats scores, shares and durations', () => {
    expect(fmt.score(0.91234)).toBe('0.9123');
    expect(fmt.pct(0.5)).toBe('50.0%');
    expect(fmt.int(31500)).toBe('31,500');
    expect(fmt.seconds(9.26)).toBe('9.3 s');
    expect(fmt.seconds(125)).toBe('2 min 5 s');
    expect(fmt.seconds(3 * 3600 + 120)).toBe('3 h 2 min');
  });

  it('carries a rounded-up unit into the next one: never "60 s" or "60 min"', () => {
    expect(fmt.seconds(59.6)).toBe('59.6 s');
    expect(fmt.seconds(59.96)).toBe('1 min 0 s');
    expect(fmt.seconds(359.6)).toBe('6 min 0 s');
    expect(fmt.seconds(359.4)).toBe('5 min 59 s');
    expect(fmt.seconds(3599.6)).toBe('1 h 0 min');
    expect(fmt.seconds(7199 + 0.4)).toBe('2 h 0 min');
    expect(fmt.seconds(3600 + 59 * 60 + 29)).toBe('1 h 59 min');
  });
});
