import json, hashlib, sys
import shapely
from shapely.geometry import shape, mapping, MultiPolygon, Polygon
from shapely import coverage_simplify, coverage_is_valid, set_precision
CODES={'黄浦区':'310101','徐汇区':'310104','长宁区':'310105','静安区':'310106','普陀区':'310107','虹口区':'310109','杨浦区':'310110','闵行区':'310112','宝山区':'310113','嘉定区':'310114','浦东新区':'310115','金山区':'310116','松江区':'310117','青浦区':'310118','奉贤区':'310120','崇明区':'310151'}
src=json.load(open('jinke_sh.geojson'))
feats=sorted(src['features'], key=lambda f: CODES[f['properties']['district']])
geoms=[shape(f['geometry']) for f in feats]
print('source coverage valid:', coverage_is_valid(geoms))
tol=float(sys.argv[1]) if len(sys.argv)>1 else 0.0003
nd=int(sys.argv[2]) if len(sys.argv)>2 else 5
simp=list(coverage_simplify(geoms, tol))
def rnd(g):
    def r(ring): 
        out=[]
        for x,y in ring.coords:
            p=(round(x,nd),round(y,nd))
            if not out or out[-1]!=p: out.append(p)
        return out
    polys=[]
    for p in getattr(g,'geoms',[g]):
        ext=r(p.exterior)
        if len(ext)<4: continue
        polys.append(Polygon(ext,[r(i) for i in p.interiors if len(r(i))>=4]))
    return MultiPolygon(polys)
out=[]; nv=0
for f,g0,g in zip(feats,geoms,simp):
    g=rnd(g)
    if not g.is_valid: 
        print('invalid after rounding', f['properties']['district'], shapely.is_valid_reason(g)); g=shapely.make_valid(g)
    nv+=shapely.get_num_coordinates(g)
    out.append({'type':'Feature','properties':{'code':CODES[f['properties']['district']],'name':f['properties']['district']},
                'geometry':mapping(g)})
    da=abs(g.area-g0.area)/g0.area
    if da>0.01: print('area change >1%', f['properties']['district'], round(da,4))
fc={'type':'FeatureCollection','features':out}
s=json.dumps(fc, ensure_ascii=False, separators=(',',':'))
print('tol',tol,'nd',nd,'verts',nv,'bytes',len(s.encode()), 'simplified coverage valid:', coverage_is_valid([shape(f['geometry']) for f in out]))
if len(sys.argv)>3: open(sys.argv[3],'w',encoding='utf-8').write(s)
