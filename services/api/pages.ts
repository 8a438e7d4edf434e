/**
 * Two server-rendered pages with a little script each; both poll the JSON API every second, so a
 * watcher sees the order move without reloading. No build step, no external assets.
 */
const layout = (title: string, body: string, script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
 body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
 table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}
 .state{font-weight:bold;font-size:1.4rem}.muted{color:#777}button{margin-right:.3rem}
 ol.timeline li{margin:.2rem 0}
</style></head><body>${body}<script>${script}</script></body></html>`;

const money = `const money=(m,c)=>(m/100).toFixed(2)+' '+esc(c);const esc=s=>String(s??'').replace(/[&<>"']/g,ch=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[ch]));`;

export const trackingPage = () =>
  layout(
    'Track your order',
    `<h1>Track your order</h1>
<form id="f"><label>Tracking code <input id="token" name="token" size="40" autocomplete="off"></label> <button type="submit">Track</button></form>
<p id="error" role="alert"></p>
<section id="order" hidden>
 <p>Order <span id="ref"></span>: <span id="state" class="state" data-testid="state"></span> <span id="stateText" class="muted"></span></p>
 <h2>Progress</h2><ol id="timeline" class="timeline"></ol>
 <h2>Shipping</h2><p id="shipping" data-testid="shipping">Not shipped yet.</p>
 <h2>Items</h2><table><thead><tr><th>Item</th><th>Qty</th><th>Total</th></tr></thead><tbody id="items"></tbody></table>
 <p>Total: <strong id="total"></strong></p>
</section>`,
    `${money}
let timer;
async function load(token){
  const r=await fetch('/v1/track/'+encodeURIComponent(token));
  if(!r.ok){document.getElementById('order').hidden=true;document.getElementById('error').textContent='No order has this tracking code.';return;}
  const o=await r.json();document.getElementById('error').textContent='';document.getElementById('order').hidden=false;
  document.getElementById('ref').textContent=o.orderRef;document.getElementById('state').textContent=o.state;document.getElementById('stateText').textContent='('+o.stateText+')';
  document.getElementById('timeline').innerHTML=o.timeline.map(t=>'<li>'+esc(t.state)+' <span class="muted">'+new Date(t.at).toLocaleString()+'</span></li>').join('');
  document.getElementById('shipping').textContent=o.shipments.length?o.shipments.map(s=>s.carrier+' '+s.trackingNumber+' ('+s.status+')').join(', '):'Not shipped yet.';
  document.getElementById('items').innerHTML=o.items.map(i=>'<tr><td>'+esc(i.name)+'</td><td>'+i.quantity+'</td><td>'+money(i.totalMinor,o.currency)+'</td></tr>').join('');
  document.getElementById('total').textContent=money(o.totals.totalMinor,o.currency);
}
function track(token){clearInterval(timer);load(token);timer=setInterval(()=>load(token),1000);history.replaceState(null,'','?token='+encodeURIComponent(token));}
document.getElementById('f').addEventListener('submit',e=>{e.preventDefault();track(document.getElementById('token').value.trim());});
const t=new URLSearchParams(location.search).get('token');if(t){document.getElementById('token').value=t;track(t);}`,
  );

export const operatorPage = () =>
  layout(
    'Order operations',
    `<h1>Order operations</h1>
<form id="k"><label>API key <input id="key" type="password" size="40" autocomplete="off"></label> <button type="submit">Use key</button></form>
<p id="error" role="alert"></p>
<h2>Dead-letter topics</h2><table><tbody id="dlq"></tbody></table>
<h2>On hold (fraud review)</h2><table><thead><tr><th>Order</th><th>Customer</th><th>Total</th><th></th></tr></thead><tbody id="held" data-testid="held"></tbody></table>
<h2>Orders by state <select id="state">${['Pending', 'Processing', 'On_Hold', 'Awaiting_Shipment', 'Shipped', 'Delivered', 'Cancelled', 'Rejected'].map((s) => `<option>${s}</option>`).join('')}</select></h2>
<table><thead><tr><th>Order</th><th>Channel ref</th><th>State</th><th>Total</th><th>Updated</th></tr></thead><tbody id="orders"></tbody></table>
<h2>History <span id="historyOf" class="muted"></span></h2><table><thead><tr><th>From</th><th>To</th><th>Cause</th><th>Refused</th><th>Reason</th><th>At</th></tr></thead><tbody id="history"></tbody></table>`,
    `${money}
const key=()=>sessionStorage.getItem('omsKey')||'';
async function api(path,opts={}){const r=await fetch(path,{...opts,headers:{'Content-Type':'application/json',Authorization:'Bearer '+key()}});
  if(!r.ok){document.getElementById('error').textContent=(await r.json()).message;throw new Error(r.status);}document.getElementById('error').textContent='';return r.json();}
async function showHistory(id){const o=await api('/v1/orders/'+id);document.getElementById('historyOf').textContent=id;
  document.getElementById('history').innerHTML=o.history.map(h=>'<tr><td>'+esc(h.from_state)+'</td><td>'+esc(h.to_state)+'</td><td>'+esc(h.cause_type)+'</td><td>'+(h.refused?'yes':'')+'</td><td>'+esc(h.reason)+'</td><td>'+new Date(h.at).toLocaleString()+'</td></tr>').join('');}
async function act(id,what){await api('/v1/orders/'+id+(what==='release'?'/release-hold':'/cancel'),{method:'POST',body:JSON.stringify(what==='release'?{operator:'ops-page'}:{reason:'operator'})});refresh();}
async function refresh(){
  if(!key())return;
  const d=await api('/v1/ops/dlq');document.getElementById('dlq').innerHTML=Object.entries(d.dlq).map(([t,n])=>'<tr><td>'+esc(t)+'</td><td>'+n+'</td></tr>').join('');
  const h=await api('/v1/orders?state=On_Hold&limit=50');
  document.getElementById('held').innerHTML=h.orders.map(o=>'<tr data-order="'+o.order_id+'"><td><a href="#" onclick="showHistory(\\''+o.order_id+'\\');return false">'+o.order_id.slice(0,8)+'</a></td><td>'+esc(o.customer_id)+'</td><td>'+money(o.total_minor,o.currency)+'</td><td><button data-action="release" onclick="act(\\''+o.order_id+'\\',\\'release\\')">Release</button><button data-action="cancel" onclick="act(\\''+o.order_id+'\\',\\'cancel\\')">Cancel</button></td></tr>').join('');
  const s=await api('/v1/orders?state='+document.getElementById('state').value+'&limit=50');
  document.getElementById('orders').innerHTML=s.orders.map(o=>'<tr data-order="'+o.order_id+'"><td><a href="#" onclick="showHistory(\\''+o.order_id+'\\');return false">'+o.order_id.slice(0,8)+'</a></td><td>'+esc(o.channel_order_ref)+'</td><td>'+esc(o.state)+'</td><td>'+money(o.total_minor,o.currency)+'</td><td>'+new Date(o.updated_at).toLocaleTimeString()+'</td></tr>').join('');
}
document.getElementById('k').addEventListener('submit',e=>{e.preventDefault();sessionStorage.setItem('omsKey',document.getElementById('key').value);refresh();});
document.getElementById('state').addEventListener('change',refresh);
setInterval(()=>refresh().catch(()=>{}),1000);refresh().catch(()=>{});`,
  );
