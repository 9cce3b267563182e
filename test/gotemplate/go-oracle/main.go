// Go oracle for the gotemplate tests, run by compare.ts: reads JSON cases on stdin, renders each
// with Go's text/template, and prints the outputs and errors as JSON.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"text/template"
)

type Enc struct {
	K    string          `json:"k"`
	V    json.RawMessage `json:"v"`
	Elem string          `json:"elem"`
}

type Case struct {
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
	Left     string          `json:"left"`
	Right    string          `json:"right"`
	Name     string          `json:"name"`
	Funcs    []string        `json:"funcs"`
}

type Result struct {
	Out  string `json:"out"`
	Err  string `json:"err"`
	Skip string `json:"skip"`
}

var ifaceType = reflect.TypeOf((*interface{})(nil)).Elem()

func decode(raw json.RawMessage) reflect.Value {
	var e Enc
	if err := json.Unmarshal(raw, &e); err != nil {
		panic(err)
	}
	switch e.K {
	case "nil":
		return reflect.Zero(ifaceType)
	case "str":
		var s string
		json.Unmarshal(e.V, &s)
		return reflect.ValueOf(s)
	case "int":
		var n json.Number
		json.Unmarshal(e.V, &n)
		i, err := n.Int64()
		if err != nil {
			panic(err)
		}
		return reflect.ValueOf(int(i))
	case "float":
		var s string
		if json.Unmarshal(e.V, &s) == nil {
			switch s {
			case "NaN":
				return reflect.ValueOf(math.NaN())
			case "+Inf":
				return reflect.ValueOf(math.Inf(1))
			case "-Inf":
				return reflect.ValueOf(math.Inf(-1))
			case "-0":
				return reflect.ValueOf(math.Copysign(0, -1))
			}
		}
		var f float64
		json.Unmarshal(e.V, &f)
		return reflect.ValueOf(f)
	case "bool":
		var b bool
		json.Unmarshal(e.V, &b)
		return reflect.ValueOf(b)
	case "slice":
		var items []json.RawMessage
		json.Unmarshal(e.V, &items)
		s := make([]interface{}, len(items))
		for i, it := range items {
			v := decode(it)
			if v.IsValid() && !(v.Kind() == reflect.Interface && v.IsNil()) {
				s[i] = v.Interface()
			}
		}
		return reflect.ValueOf(s)
	case "map":
		var entries [][2]json.RawMessage
		json.Unmarshal(e.V, &entries)
		var elemType reflect.Type
		switch e.Elem {
		case "string":
			elemType = reflect.TypeOf("")
		case "int":
			elemType = reflect.TypeOf(0)
		case "float":
			elemType = reflect.TypeOf(0.0)
		case "bool":
			elemType = reflect.TypeOf(false)
		default:
			elemType = ifaceType
		}
		m := reflect.MakeMap(reflect.MapOf(reflect.TypeOf(""), elemType))
		for _, kv := range entries {
			var k string
			json.Unmarshal(kv[0], &k)
			v := decode(kv[1])
			if !v.IsValid() || (v.Kind() == reflect.Interface && v.IsNil()) {
				v = reflect.Zero(elemType)
			}
			m.SetMapIndex(reflect.ValueOf(k), v)
		}
		return m
	case "struct":
		var entries [][2]json.RawMessage
		json.Unmarshal(e.V, &entries)
		fields := make([]reflect.StructField, len(entries))
		for i, kv := range entries {
			var k string
			json.Unmarshal(kv[0], &k)
			fields[i] = reflect.StructField{Name: k, Type: ifaceType}
		}
		t := reflect.StructOf(fields)
		sv := reflect.New(t).Elem()
		for i, kv := range entries {
			v := decode(kv[1])
			if v.IsValid() && !(v.Kind() == reflect.Interface && v.IsNil()) {
				sv.Field(i).Set(v)
			}
		}
		return sv
	}
	panic("unknown kind " + e.K)
}

// sprig-style join that also accepts LIST SEP.
func join(a, b interface{}) (string, error) {
	sep, list := a, b
	if reflect.ValueOf(a).Kind() == reflect.Slice {
		if _, ok := b.(string); ok {
			sep, list = b, a
		}
	}
	s, ok := sep.(string)
	if !ok {
		return "", fmt.Errorf("wrong type for separator; expected string; got %T", sep)
	}
	if list == nil {
		return "", nil
	}
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice {
		return fmt.Sprintf("%v", list), nil
	}
	parts := []string{}
	for i := 0; i < v.Len(); i++ {
		e := v.Index(i).Interface()
		if e != nil {
			parts = append(parts, fmt.Sprintf("%v", e))
		}
	}
	return strings.Join(parts, s), nil
}

func run(c Case) (res Result) {
	defer func() {
		if r := recover(); r != nil {
			res = Result{Skip: fmt.Sprint(r)}
		}
	}()
	var data interface{}
	if len(c.Data) > 0 && string(c.Data) != "null" {
		v := decode(c.Data)
		if v.IsValid() && !(v.Kind() == reflect.Interface && v.IsNil()) {
			data = v.Interface()
		}
	}
	funcs := template.FuncMap{"join": join}
	for _, f := range c.Funcs {
		switch f {
		case "upper":
			funcs["upper"] = strings.ToUpper
		case "fail":
			funcs["fail"] = func(args ...interface{}) (interface{}, error) { return nil, fmt.Errorf("boom") }
		case "nilf":
			funcs["nilf"] = func(args ...interface{}) interface{} { return nil }
		case "count":
			funcs["count"] = func(args ...interface{}) interface{} { return len(args) }
		case "break":
			funcs["break"] = func() string { return "brk" }
		default:
			return Result{Skip: "func " + f}
		}
	}
	t, err := template.New(c.Name).Delims(c.Left, c.Right).Funcs(funcs).Parse(c.Template)
	if err != nil {
		return Result{Err: err.Error()}
	}
	var b strings.Builder
	err = t.Execute(&b, data)
	if err != nil {
		return Result{Out: b.String(), Err: err.Error()}
	}
	return Result{Out: b.String()}
}

func main() {
	var cases []Case
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	results := make([]Result, len(cases))
	for i, c := range cases {
		results[i] = run(c)
	}
	json.NewEncoder(os.Stdout).Encode(results)
}
