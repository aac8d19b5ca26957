/* Appended to a copy of report.html (the page itself has no script) by
 * tests/e2e_html_fit.sh and loaded in a frame of the width to check (a
 * headless window cannot be made narrower than 500 px): checks that nothing
 * overflows and no text is too small, and sends the verdict to the page
 * holding the frame, which writes it into its DOM for --dump-dom to print.
 *   - the page is no wider than the window;
 *   - every element outside a .scroll box lies within its parent's box
 *     horizontally (a .scroll box that scrolls may be wider inside; in a
 *     window of at least 1000 px none may need to), and no element that
 *     clips (overflow hidden) holds more than it shows;
 *   - every element with text of its own has a font size of at least 10
 *     CSS pixels, SVG text as drawn (its size times the plot's scale). */
(function () {
    var bad = [], MIN = 10, SLACK = 1, WIDE = 1000;
    function name(e) {
        var s = e.tagName.toLowerCase();
        if (e.id) s += '#' + e.id;
        if (e.getAttribute('class')) s += '.' + e.getAttribute('class').replace(/ /g, '.');
        var t = (e.textContent || '').replace(/\s+/g, ' ').trim();
        return s + (t ? ' "' + t.slice(0, 40) + '"' : '');
    }
    function scrolls(e) {
        for (var p = e; p; p = p.parentElement)
            if (p.classList && p.classList.contains('scroll') &&
                /^(auto|scroll)$/.test(getComputedStyle(p).overflowX)) return true;
        return false;
    }
    function ownText(e) {
        for (var c = e.firstChild; c; c = c.nextSibling)
            if (c.nodeType === 3 && c.nodeValue.trim() !== '') return true;
        return false;
    }
    var root = document.documentElement, width = root.clientWidth;
    if (root.scrollWidth > width + SLACK)
        bad.push('the page is ' + root.scrollWidth + ' px wide in a ' + width + ' px window');
    var all = document.body.getElementsByTagName('*'), checked = 0;
    for (var i = 0; i < all.length; i++) {
        var e = all[i], tag = e.tagName.toLowerCase();
        if (tag === 'script' || tag === 'title' || tag === 'desc') continue;
        var svg = e.closest('svg');
        if (width >= WIDE && e.classList.contains('scroll') && e.scrollWidth > e.clientWidth + SLACK)
            bad.push(name(e) + ' scrolls in a wide window (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
        if (!svg && e.parentElement && !scrolls(e.parentElement)) {
            var r = e.getBoundingClientRect(), pr = e.parentElement.getBoundingClientRect();
            if (r.width > 0 && (r.right > pr.right + SLACK || r.left < pr.left - SLACK))
                bad.push(name(e) + ' overflows its container (' + Math.round(r.left) + '..' +
                         Math.round(r.right) + ' in ' + Math.round(pr.left) + '..' + Math.round(pr.right) + ')');
            var ov = getComputedStyle(e).overflowX;
            if ((ov === 'hidden' || ov === 'clip') && e.scrollWidth > e.clientWidth + SLACK)
                bad.push(name(e) + ' clips its content (' + e.scrollWidth + ' > ' + e.clientWidth + ')');
        }
        if (ownText(e) && e.getClientRects().length > 0) {
            var size = parseFloat(getComputedStyle(e).fontSize);
            if (svg && svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width > 0)
                size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            checked++;
            if (size < MIN - 0.01)
                bad.push(name(e) + ' has text of ' + size.toFixed(1) + ' px');
        }
    }
    parent.postMessage((bad.length ? 'FIT-FAIL' : 'FIT-OK') + ' width=' + width + ' height=' +
                       root.scrollHeight + ' texts=' + checked +
                       '\n' + bad.slice(0, 20).join('\n'), '*');
})();
